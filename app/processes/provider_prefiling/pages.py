"""A provider's filing pages (培训前备案): the list with each filing's progress (备案进度查询),
the form (临时保存 / 保存), one filing with its attachments, 提交 and its review log.

The supervisor and the HR department decide on the shared task page; they open a filing
that reached them from there (its page shows them the same record, read-only).
"""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ...db import savepoint
from ...errors import Invalid, ServiceError
from ...extensions import db
from ...i18n import _, localise
from ...models import ProcessInstance
from ...services import pdf, runner
from ...web import session as web_session
from ...web.pages import act, file_items, file_response
from . import form_pdf as form_pdf_module
from . import service
from .api import FORMS, LEVELS, FilingInputSchema
from .views import filing_view

blp = Blueprint("provider_prefiling", __name__, template_folder="templates")

ROWS = {  # the form's repeated rows: list name -> its columns
    "scope": ("series", "specialty", "level"),
    "courses": ("content", "hours"),
    "teachers": ("name", "education", "major", "title", "course"),
    "textbooks": ("name", "edition"),
}
SIMPLE = ("year", "filing_date", "location", "class_name", "starts_on", "ends_on", "venue", "total_hours", "form",
          "fee", "office_phone", "fax", "email", "address", "post_code", "head_name", "head_title", "head_mobile",
          "contact_name", "contact_title", "contact_mobile")
NUMBERS = ("year", "total_hours")
SERIES = ("工程系列", "教师系列", "经济系列", "文物博物专业", "自然科学研究")
SPECIALTIES = ("建材专业", "林业专业", "公路工程", "生态环境保护专业", "水利专业")


def _provider_staff() -> None:
    if not service.my_providers(web_session.actor()):
        abort(403)


# -- the form: request fields <-> the API's payload ------------------------------------------------

def _rows(name: str) -> list[dict[str, str]]:
    """The list's rows from the request, dropping rows left wholly blank."""
    columns, found, i = ROWS[name], [], 0
    while f"{name}-{i}-{columns[0]}" in request.form and i < 60:
        row = {c: (request.form.get(f"{name}-{i}-{c}") or "").strip() for c in columns}
        if any(row.values()):
            found.append(row)
        i += 1
    return found


def _payload() -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in SIMPLE:
        value = (request.form.get(name) or "").strip()
        if name in NUMBERS or name in ("filing_date", "starts_on", "ends_on"):
            if value:
                data[name] = int(value) if name == "year" and value.isdigit() else value
        else:
            data[name] = value
    for name in ROWS:
        data[name] = _rows(name)
    return data


def _load(data: dict[str, Any]) -> dict[str, Any]:
    """The API's own checks, so the page and the API accept and refuse the same things."""
    try:
        loaded = FilingInputSchema().load(data)
    except ma.ValidationError as exc:
        raise Invalid(_("Some fields are not filled in correctly."), code="invalid",
                      fields=localise(exc.normalized_messages())) from None
    if "courses" in loaded:
        loaded["courses"] = [{**c, "hours": str(c["hours"])} for c in loaded["courses"]]
    return loaded


def _form_values(view: dict[str, Any] | None) -> dict[str, Any]:
    """What the form shows: the filing's values, or what was just posted."""
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in SIMPLE}
        values.update({name: _rows(name) for name in ROWS})
    else:
        values = {name: ("" if (view or {}).get(name) is None else view[name]) for name in SIMPLE}
        values.update({name: list((view or {}).get(name) or []) for name in ROWS})
    add = request.form.get("add") if request.method == "POST" else None
    for name, columns in ROWS.items():
        if add == name or not values[name]:
            values[name].append(dict.fromkeys(columns, ""))
    return values


def _flat(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """Field problems by input name: ``{"courses": {0: {"hours": [...]}}}`` -> ``courses-0-hours``."""
    if not isinstance(errors, dict):
        return {prefix: [str(m) for m in errors] if isinstance(errors, (list, tuple)) else [str(errors)]}
    found: dict[str, list[str]] = {}
    for key, value in errors.items():
        name = f"{prefix}-{key}" if prefix else str(key)
        for inner, messages in _flat(value, name).items():
            found.setdefault(inner, []).extend(messages)
    return found


def _render_form(view: dict[str, Any] | None, error: ServiceError | None = None, status: int = 200) -> Any:
    return render_template("provider_prefiling/form.html", filing=view, values=_form_values(view),
                           error=error, field_errors=_flat(error.fields or {}) if error else {}, levels=LEVELS,
                           forms=FORMS, series=SERIES, specialties=SPECIALTIES), status


def _save(filing_id: int | None) -> Any:
    actor = web_session.actor()
    view = filing_view(service.get_visible(filing_id, actor), with_log=False) if filing_id else None
    action = request.form.get("action", "save")
    if request.form.get("add") in ROWS:  # 添加: one more empty row, nothing saved
        return _render_form(view)
    try:
        with savepoint():
            values = _load(_payload())
            temporary = action == "temporary"
            filing = (service.update(filing_id, actor, values, temporary=temporary) if filing_id
                      else service.create(actor, values, temporary=temporary))
    except ServiceError as exc:
        return _render_form(view, exc, exc.status)
    flash(_("The filing has been saved temporarily: it is not checked and cannot be submitted yet.")
          if temporary else _("The filing has been saved."), "success")
    return redirect(url_for("provider_prefiling.detail", filing_id=filing.id))


# -- pages ---------------------------------------------------------------------------------------

@blp.route("/filings")
def index() -> Any:
    """培训前备案 / 备案进度查询: this provider's filings and where each one is."""
    _provider_staff()
    actor = web_session.actor()
    items = [filing_view(f, with_log=False) for f in service.list_for(actor, own_only=True)]
    return render_template("provider_prefiling/index.html", items=items)


@blp.route("/filings/new", methods=["GET", "POST"])
def new() -> Any:
    _provider_staff()
    if request.method == "POST":
        return _save(None)
    return _render_form(None)


@blp.route("/filings/<int:filing_id>/edit", methods=["GET", "POST"])
def edit(filing_id: int) -> Any:
    _provider_staff()
    actor = web_session.actor()
    filing = service.get_visible(filing_id, actor)
    if not runner.editable_by(db.session.get(ProcessInstance, filing.instance_id), actor):
        flash(_("This filing is read-only until a reviewer rolls it back."), "error")
        return redirect(url_for("provider_prefiling.detail", filing_id=filing_id))
    if request.method == "POST":
        return _save(filing_id)
    return _render_form(filing_view(filing, with_log=False))


@blp.route("/filings/<int:filing_id>")
def detail(filing_id: int) -> Any:
    actor = web_session.actor()
    filing = service.get_visible(filing_id, actor)
    view = filing_view(filing)
    instance = db.session.get(ProcessInstance, filing.instance_id)
    own = actor.staff_of(filing.provider_id, service.PROVIDER_ROLES)
    steps = runner.waiting_for(instance, actor) if own else []
    return render_template("provider_prefiling/detail.html", filing=view, files=file_items(view["files"]),
                           own=own, editable=own and runner.editable_by(instance, actor),
                           stamping="stamp" in steps, can_submit=bool(set(steps) & {"prepare", "revise", "stamp"}),
                           can_delete=own and "delete" in runner.listening(instance),
                           kinds=service.FILE_KINDS, content_kinds=service.CONTENT_KINDS)


def _act(filing_id: int, do: Any, done: str) -> Any:
    return act(url_for("provider_prefiling.detail", filing_id=filing_id), do, done)

@blp.route("/filings/<int:filing_id>/submit", methods=["POST"])
def submit(filing_id: int) -> Any:
    return _act(filing_id, lambda: service.submit(filing_id, web_session.actor()), _("Submitted."))


@blp.route("/filings/<int:filing_id>/delete", methods=["POST"])
def delete(filing_id: int) -> Any:
    try:
        with savepoint():
            service.delete(filing_id, web_session.actor())
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("provider_prefiling.detail", filing_id=filing_id))
    flash(_("The draft has been deleted."), "success")
    return redirect(url_for("provider_prefiling.index"))


@blp.route("/filings/<int:filing_id>/files", methods=["POST"])
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


@blp.route("/filings/<int:filing_id>/files/<int:file_id>/remove", methods=["POST"])
def remove_file(filing_id: int, file_id: int) -> Any:
    return _act(filing_id, lambda: service.remove_file(filing_id, file_id, web_session.actor()),
                _("The file has been removed."))


@blp.route("/filings/<int:filing_id>/form.pdf")
def form_pdf(filing_id: int) -> Any:
    """生成表格 / 下载表格: the filing form to print and stamp."""
    filing = service.get_visible(filing_id, web_session.actor())
    return pdf.attachment(form_pdf_module.render(filing), f"filing-{filing.id}.pdf")


@blp.route("/filings/<int:filing_id>/files/<int:file_id>")
def attachment(filing_id: int, file_id: int) -> Any:
    return file_response(*service.read_file(filing_id, file_id, web_session.actor()))
