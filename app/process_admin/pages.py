"""The process administrators' pages (流程管理): versions and drafts, the diagram editor, the
validation and simulation report, the difference of two versions, publishing, moving running
instances, and suspended and stuck instances. Only the ``process_admin`` role opens them."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from ..db import savepoint
from ..errors import ServiceError
from ..i18n import _
from ..web import session as web_session
from . import instances, versions
from .api import ROLE, bpmn_download

blp = Blueprint("process_admin_pages", __name__, template_folder="templates", url_prefix="/admin/processes")


class UploadForm(FlaskForm):
    file = FileField(_("BPMN file (.bpmn)"))


def _admin() -> Any:
    actor = web_session.actor()
    if actor is None or not actor.holds(ROLE):
        abort(403)
    return actor


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _json_error(exc: ServiceError) -> Any:
    return jsonify({"error": {"code": exc.code, "message": exc.message, "fields": exc.fields or {}}}), exc.status


def _diagram_body() -> bytes:
    return (request.form.get("bpmn") or "").encode("utf-8")


@blp.route("", methods=["GET"])
def index() -> Any:
    """Every process with its versions and drafts; a .bpmn upload starts a draft."""
    _admin()
    return render_template("process_admin/index.html", groups=versions.listing(), upload=UploadForm())


@blp.route("/upload", methods=["POST"])
def upload() -> Any:
    actor = _admin()
    form = UploadForm()
    if not form.validate_on_submit() or not form.file.data:
        flash(_("Choose a .bpmn file."), "error")
        return redirect(url_for(".index"))
    content = form.file.data.read(versions.MAX_DIAGRAM_BYTES + 1)
    try:
        with savepoint():
            draft, report = versions.create_draft(content, actor)
    except ServiceError as exc:
        flash(" ".join([exc.message, *[str(p) for p in (exc.fields or {}).get("bpmn", [])][:3]]), "error")
        return redirect(url_for(".index"))
    flash(_("The diagram was saved as a draft.") if report.ok else
          _("Saved as a draft with %(count)s problem(s) to fix before publishing.", count=len(report.problems)),
          "success" if report.ok else "warning")
    return redirect(url_for(".edit", definition_id=draft.id))


@blp.route("/<int:definition_id>", methods=["GET"])
def show(definition_id: int) -> Any:
    """One version or draft: who and when, its diagram, and what may be done with it."""
    _admin()
    row = versions.get(definition_id)
    others = [v for group in versions.listing() if group["process_key"] == row.process_key
              for v in group["versions"] if v["id"] != row.id]
    return render_template("process_admin/show.html", definition=versions.describe(row), others=others,
                           marked={"xml_url": url_for(".bpmn", definition_id=row.id), "marks": {}})


@blp.route("/<int:definition_id>/bpmn", methods=["GET"])
def bpmn(definition_id: int) -> Any:
    _admin()
    return bpmn_download(versions.get(definition_id, with_xml=True))


@blp.route("/<int:definition_id>/draft", methods=["POST"])
def new_draft(definition_id: int) -> Any:
    """Start a draft from this version (or a copy of this draft)."""
    actor = _admin()
    base = versions.get(definition_id, with_xml=True)
    with savepoint():
        draft, _report = versions.create_draft(base.bpmn_xml.encode("utf-8"), actor, based_on=base.id)
    return redirect(url_for(".edit", definition_id=draft.id))


@blp.route("/<int:definition_id>/edit", methods=["GET"])
def edit(definition_id: int) -> Any:
    """The diagram editor; a published version opens read-only (start a draft from it to edit)."""
    _admin()
    row = versions.get(definition_id)
    readonly = row.published
    modeler = {
        "xml_url": url_for(".bpmn", definition_id=row.id),
        "save_url": url_for(".save", definition_id=row.id),
        "validate_url": url_for(".check", definition_id=row.id),
        "csrf_token": _csrf_token(), "process_key": row.process_key, "readonly": readonly,
        "vocabulary": versions.vocabulary(row.process_key),
    }
    if readonly:
        del modeler["save_url"]
    return render_template("process_admin/edit.html", definition=versions.describe(row), modeler=modeler)


def _csrf_token() -> str:
    from flask_wtf.csrf import generate_csrf
    return generate_csrf()


@blp.route("/<int:definition_id>/save", methods=["POST"])
def save(definition_id: int) -> Any:
    """Save the editor's diagram into the draft (JSON for the editor)."""
    actor = _admin()
    try:
        with savepoint():
            draft, report = versions.update_draft(definition_id, _diagram_body(), actor)
    except ServiceError as exc:
        return _json_error(exc)
    return jsonify({"ok": report.ok, "id": draft.id, "problems": report.problems, "redirect": None})


@blp.route("/<int:definition_id>/check", methods=["POST"])
def check(definition_id: int) -> Any:
    """Validate and simulate the editor's current diagram (not saved by this)."""
    _admin()
    versions.get(definition_id)
    try:
        report = versions.validate(_diagram_body())
    except ServiceError as exc:
        return _json_error(exc)
    return jsonify(report.as_dict())


@blp.route("/<int:definition_id>/report", methods=["GET"])
def report(definition_id: int) -> Any:
    """The saved diagram's validation and simulation report, as a list and as colours."""
    _admin()
    row = versions.get(definition_id, with_xml=True)
    result = versions.validate(row.bpmn_xml.encode("utf-8"))
    return render_template("process_admin/report.html", definition=versions.describe(row), report=result,
                           marked={"xml_url": url_for(".bpmn", definition_id=row.id), "marks": result.marks})


@blp.route("/<int:definition_id>/publish", methods=["POST"])
def publish(definition_id: int) -> Any:
    actor = _admin()
    try:
        with savepoint():
            row = versions.publish(definition_id, actor)
    except ServiceError as exc:
        flash(" ".join([exc.message, *[str(p) for p in (exc.fields or {}).get("bpmn", [])][:5]]), "error")
        return redirect(url_for(".report", definition_id=definition_id))
    flash(_("Published as version %(version)s: new instances start on it.", version=row.version), "success")
    return redirect(url_for(".show", definition_id=row.id))


@blp.route("/<int:definition_id>/delete", methods=["POST"])
def delete(definition_id: int) -> Any:
    actor = _admin()
    try:
        with savepoint():
            versions.delete_draft(definition_id, actor)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".show", definition_id=definition_id))
    flash(_("The draft was deleted."), "success")
    return redirect(url_for(".index"))


@blp.route("/diff", methods=["GET"])
def diff() -> Any:
    """What changed from one version (or draft) to another, drawn on both diagrams."""
    _admin()
    from_id, to_id = request.args.get("from", type=int), request.args.get("to", type=int)
    if not from_id or not to_id:
        abort(400)
    try:
        result = versions.diff(from_id, to_id)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".index"))
    return render_template("process_admin/diff.html", diff=result,
                           new={"xml_url": url_for(".bpmn", definition_id=to_id), "marks": result["marks"]},
                           old={"xml_url": url_for(".bpmn", definition_id=from_id),
                                "marks": {e["element"]: "removed" for e in result["removed"]}})


@blp.route("/<int:definition_id>/migrate", methods=["GET", "POST"])
def migrate(definition_id: int) -> Any:
    """Move this version's running instances to another: a dry run first, then the ones chosen."""
    actor = _admin()
    row = versions.get(definition_id)
    targets = [v for group in versions.listing() if group["process_key"] == row.process_key
               for v in group["versions"] if v["status"] == "published" and v["id"] != row.id]
    to_id = request.values.get("to", type=int) or (targets[0]["id"] if targets else None)
    result = None
    if request.method == "POST":
        chosen = [int(i) for i in request.form.getlist("instance") if i.isdigit()]
        if not chosen:
            flash(_("Choose the instances to move."), "error")
            return redirect(url_for(".migrate", definition_id=row.id, to=to_id))
        try:
            result = instances.migrate(row.id, to_id or 0, actor, instance_ids=chosen, dry_run=False)
        except ServiceError as exc:
            flash(exc.message, "error")
            return redirect(url_for(".migrate", definition_id=row.id))
        flash(_("%(moved)s of %(count)s instance(s) moved to version %(version)s.", moved=result["moved"],
                count=len(result["results"]), version=result["to_version"]), "success")
    elif to_id:
        try:
            result = instances.migrate(row.id, to_id, actor, dry_run=True)
        except ServiceError as exc:
            flash(exc.message, "error")
    return render_template("process_admin/migrate.html", definition=versions.describe(row), targets=targets,
                           to_id=to_id, result=result)


@blp.route("/instances", methods=["GET"])
def held() -> Any:
    """Suspended instances, and stuck ones (an error, or nothing that would ever move them)."""
    _admin()
    return render_template("process_admin/instances.html", suspended=instances.suspended(),
                           stuck=instances.stuck())


@blp.route("/instances/<int:instance_id>/<any(suspend, resume, retry):action>", methods=["POST"])
def instance_action(instance_id: int, action: str) -> Any:
    actor = _admin()
    comment = (request.form.get("comment") or "").strip()[:500] or None
    try:
        with savepoint():
            if action == "retry":
                instances.retry(instance_id, actor)
            else:
                getattr(instances, action)(instance_id, actor, comment)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash({"suspend": _("The instance is suspended: its tasks left every inbox."),
               "resume": _("The instance is resumed: its tasks are back in the inbox."),
               "retry": _("The instance ran again.")}[action], "success")
    return redirect(request.form.get("next") if _safe_next(request.form.get("next")) else url_for(".held"))


def _safe_next(target: str | None) -> bool:
    return bool(target) and target.startswith("/") and not target.startswith("//")
