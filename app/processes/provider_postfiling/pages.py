"""A provider's post-training filing pages (培训后备案), in the seed's four steps: ① choose the filed
pre-filing's approved class; ② the completion details; ③ import the trainees' results (the
template, the upload, the refused file's rows and its error report); ④ attachments and 提交.
The HR department decides on the shared task page."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ...db import savepoint
from ...errors import Invalid, ServiceError
from ...extensions import db
from ...i18n import _, localise
from ...models import ProcessInstance
from ...services import runner
from ...web import session as web_session
from ...web.pages import act, file_items, file_response
from ..provider_prefiling import service as prefilings
from . import results, service
from .api import PostFilingCreateSchema, PostFilingInputSchema, xlsx_response
from .views import postfiling_view

blp = Blueprint("provider_postfiling", __name__, template_folder="templates")
DETAILS = ("name", "year", "held_from", "held_until", "attended", "summary")


def _provider_staff() -> None:
    if not prefilings.my_providers(web_session.actor()):
        abort(403)


def _load(schema: ma.Schema, data: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.load(data)
    except ma.ValidationError as exc:
        raise Invalid(_("Some fields are not filled in correctly."), code="invalid",
                      fields=localise(exc.normalized_messages())) from None


def _details() -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in DETAILS:
        value = (request.form.get(name) or "").strip()
        if name in ("year", "attended"):
            if value:
                data[name] = int(value) if value.isdigit() and len(value) < 7 else value
        elif name in ("held_from", "held_until", "name"):
            if value:
                data[name] = value
        else:
            data[name] = value
    return data


@blp.route("/post-filings")
def index() -> Any:
    """培训后备案: the provider's post-training filings and the classes waiting for one."""
    _provider_staff()
    actor = web_session.actor()
    items = [postfiling_view(f, with_log=False) for f in service.list_for(actor, own_only=True)]
    waiting = [{"id": c.id, "name": c.name, "ends_on": c.prefiling.ends_on, "until": service.window(c)[1],
                "prefiling": c.prefiling.class_name} for c in service.classes_to_file(actor)]
    return render_template("provider_postfiling/index.html", items=items, waiting=waiting)


@blp.route("/post-filings/new", methods=["GET", "POST"])
def new() -> Any:
    """Step ①: 选择培训前备案和培训信息 (only approved ones are listed), the name and year."""
    _provider_staff()
    actor = web_session.actor()
    classes = service.classes_to_file(actor)
    error = None
    if request.method == "POST":
        data = _details()
        if request.form.get("class_id", "").isdigit():
            data["class_id"] = int(request.form["class_id"])
        try:
            with savepoint():
                filing = service.create(actor, _load(PostFilingCreateSchema(), data))
        except ServiceError as exc:
            error = exc
        else:
            flash(_("The filing has been created: fill in the completion details and import the results."),
                  "success")
            return redirect(url_for("provider_postfiling.detail", filing_id=filing.id))
    chosen = request.values.get("class_id", type=int)
    return render_template("provider_postfiling/new.html", classes=classes, chosen=chosen, error=error,
                           values=request.form, window=service.window), 422 if error else 200


@blp.route("/post-filings/<int:filing_id>")
def detail(filing_id: int) -> Any:
    actor = web_session.actor()
    filing = service.get_visible(filing_id, actor)
    return _render_detail(filing)


def _render_detail(filing: Any, error: ServiceError | None = None, bad_rows: list[dict[str, Any]] | None = None,
                   status: int = 200) -> Any:
    actor = web_session.actor()
    view = postfiling_view(filing)
    instance = db.session.get(ProcessInstance, filing.instance_id)
    own = actor.staff_of(filing.provider_id, service.PROVIDER_ROLES)
    editable = own and runner.editable_by(instance, actor)
    labels = dict(zip(results.FIELDS, results.HEADER, strict=True))
    return render_template("provider_postfiling/detail.html", filing=view, files=file_items(view["files"]), own=own,
                           editable=editable, can_delete=own and "delete" in runner.listening(instance),
                           kinds=service.FILE_KINDS, error=error, bad_rows=bad_rows, labels=labels,
                           values=request.form if error and request.form.get("step") == "details" else view,
                           field_errors={k: [str(m) for m in v] if isinstance(v, list) else [str(v)]
                                         for k, v in ((error.fields or {}) if error else {}).items()}), status


@blp.route("/post-filings/<int:filing_id>/details", methods=["POST"])
def details(filing_id: int) -> Any:
    """Step ②: 填写继续教育培训结业备案信息."""
    actor = web_session.actor()
    try:
        with savepoint():
            service.update(filing_id, actor, _load(PostFilingInputSchema(), _details()))
    except ServiceError as exc:
        return _render_detail(service.get_visible(filing_id, actor), exc, status=exc.status)
    flash(_("Saved."), "success")
    return redirect(url_for("provider_postfiling.detail", filing_id=filing_id, _anchor="step-results"))


@blp.route("/post-filings/<int:filing_id>/results", methods=["POST"])
def import_results(filing_id: int) -> Any:
    """Step ③: 导入学员成绩 (no savepoint: a refused file's report is kept, nothing else changes)."""
    actor = web_session.actor()
    upload = request.files.get("file")
    limit = int(service.settings()["RESULTS_MAX_BYTES"])
    try:
        if upload is None or not upload.filename:
            raise Invalid(_("Choose a file to upload."), code="invalid", fields={"file": [_("Required.")]})
        imported = service.import_results(filing_id, actor, upload.stream.read(limit + 1))
    except ServiceError as exc:
        filing = service.get_visible(filing_id, actor)
        return _render_detail(filing, exc, bad_rows=exc.rows, status=exc.status)
    flash(_("%(n)s results imported, %(passed)s passed.", n=len(imported), passed=sum(r.passed for r in imported)),
          "success")
    return redirect(url_for("provider_postfiling.detail", filing_id=filing_id, _anchor="step-results"))


@blp.route("/post-filings/<int:filing_id>/results-template.xlsx")
def results_template(filing_id: int) -> Any:
    return xlsx_response(service.template(filing_id, web_session.actor()), f"results-template-{filing_id}.xlsx")


@blp.route("/post-filings/<int:filing_id>/results-errors.xlsx")
def results_errors(filing_id: int) -> Any:
    filing = service.get_visible(filing_id, web_session.actor())
    if not filing.import_errors:
        abort(404)
    return xlsx_response(results.error_report(filing.import_errors), f"results-errors-{filing_id}.xlsx")


def _act(filing_id: int, do: Any, done: str) -> Any:
    return act(url_for("provider_postfiling.detail", filing_id=filing_id), do, done)

@blp.route("/post-filings/<int:filing_id>/files", methods=["POST"])
def upload(filing_id: int) -> Any:
    actor = web_session.actor()
    upload_file = request.files.get("file")
    limit = int(service.settings()["MAX_FILE_BYTES"])

    def add() -> None:
        if upload_file is None or not upload_file.filename:
            raise Invalid(_("Choose a file to upload."), code="invalid", fields={"file": [_("Required.")]})
        service.add_file(filing_id, actor, upload_file.stream.read(limit + 1), upload_file.filename,
                         (request.form.get("description") or "").strip() or None, request.form.get("kind", ""))
    return _act(filing_id, add, _("The file has been attached."))


@blp.route("/post-filings/<int:filing_id>/files/<int:file_id>/remove", methods=["POST"])
def remove_file(filing_id: int, file_id: int) -> Any:
    return _act(filing_id, lambda: service.remove_file(filing_id, file_id, web_session.actor()),
                _("The file has been removed."))


@blp.route("/post-filings/<int:filing_id>/files/<int:file_id>")
def attachment(filing_id: int, file_id: int) -> Any:
    return file_response(*service.read_file(filing_id, file_id, web_session.actor()))


@blp.route("/post-filings/<int:filing_id>/submit", methods=["POST"])
def submit(filing_id: int) -> Any:
    return _act(filing_id, lambda: service.submit(filing_id, web_session.actor()), _("Submitted."))


@blp.route("/post-filings/<int:filing_id>/delete", methods=["POST"])
def delete(filing_id: int) -> Any:
    try:
        with savepoint():
            service.delete_filing(filing_id, web_session.actor())
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("provider_postfiling.detail", filing_id=filing_id))
    flash(_("The draft has been deleted."), "success")
    return redirect(url_for("provider_postfiling.index"))
