"""Process instances: a list for process administrators and auditors, and one page per
instance with its BPMN diagram (bpmn-js, served from app/static/vendor) and its event log.

Anyone who may see the record behind an instance (the trainee, the reviewing units)
may open that instance's page; everyone else gets a 404, never a 403, so that
instance ids cannot be probed. Process administrators and auditors also read the record
itself there (drawn by its plug-in, as on the task page) with its files, read-only; each
file they open is logged (``attachments.read``).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from ...errors import ServiceError
from ...services import attachments, plugins
from ...services.presenters import flow_log
from .. import session as web_session
from ..pages import file_items, file_response, render_service_page
from . import view

blp = Blueprint("processes", __name__, url_prefix="/processes")

PER_PAGE = 20


def _positive_int(value: str | None) -> int | None:
    value = (value or "").strip().lstrip("#")
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None


@blp.route("")
def index() -> Any:
    actor = web_session.actor()
    if actor is None or not actor.can_read_all_processes:
        abort(403)
    wanted = request.args.get("id")
    if wanted is not None:
        instance_id = _positive_int(wanted)
        if instance_id is not None:
            return redirect(url_for("processes.show", instance_id=instance_id))
    processes = view.process_choices()
    statuses = view.status_choices()
    process = request.args.get("process") or None
    status = request.args.get("status") or None
    process = process if process in dict(processes) else None
    status = status if status in dict(statuses) else None
    page = _positive_int(request.args.get("page")) or 1
    rows, total = view.listing(page, PER_PAGE, process, status)
    args = {k: v for k, v in (("process", process), ("status", status)) if v}
    return render_template(
        "processes/index.html", rows=rows, total=total, page=page, per_page=PER_PAGE, args=args,
        processes=processes, statuses=statuses, process=process, status=status,
        bad_id=wanted is not None, wanted=wanted or "",
        subjects=view.subjects([row[0] for row in rows]), status_text=view.status_text,
        record_label=view.record_label, label_of=dict(processes))


@blp.route("/<int:instance_id>")
def show(instance_id: int) -> Any:
    actor = web_session.actor()
    instance = view.readable_instance(instance_id, actor)
    state = view.diagram_state(instance)
    full_log = actor.can_read_all_processes
    return render_template(
        "processes/show.html", instance=instance, definition=instance.definition,
        state=state, summary=view.diagram_summary(instance, state),
        status=view.status_text(instance), viewer=view.viewer_installed(),
        audit_log=view.audit_log(instance) if full_log else None,
        flow_log=None if full_log else flow_log(instance.id, plugins.registry().by_type.get(instance.record_type)),
        record=_record_link(instance, actor), full_log=full_log,
        shown=_record_shown(instance, actor) if full_log else None,
        back=url_for("processes.index") if full_log else None)


@blp.route("/<int:instance_id>/files/<int:file_id>")
def proof(instance_id: int, file_id: int) -> Response | tuple[str, int]:
    """A file of the instance's record, for whoever may read the instance (logged for auditors)."""
    actor = web_session.actor()
    instance = view.readable_instance(instance_id, actor)
    try:
        stored, data = attachments.read(instance.record_type, instance.record_id, file_id, actor)
    except ServiceError as exc:
        return render_service_page(exc)
    return file_response(stored, data)


@blp.route("/<int:instance_id>/diagram.bpmn")
def diagram(instance_id: int) -> Response:
    instance = view.readable_instance(instance_id, web_session.actor())
    response = current_app.response_class(instance.definition.bpmn_xml, mimetype="application/xml")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _record_shown(instance: Any, actor: Any) -> dict[str, Any] | None:
    """The record as its plug-in draws it on the task page, and its files (no actions)."""
    record = view.instance_record(instance)
    plugin = plugins.registry().by_type.get(instance.record_type)
    if record is None or plugin is None:
        return None
    files = file_items([attachments.view(f) for f in plugin.files(record)]) if plugin.has_files else None
    return {"plugin": plugin, "record": plugin.present(record, actor), "files": files}


def _record_link(instance: Any, actor: Any) -> dict[str, Any]:
    """The record behind the instance: its words, and a link where the viewer has a page for it."""
    record = view.instance_record(instance)
    plugin = plugins.registry().by_type.get(instance.record_type)
    text = f"{view.record_label(instance.record_type)} #{instance.record_id}"
    url = None
    if record is not None and plugin is not None:
        text = f"{text} · {plugin.summary(record).subject}"
        url = plugin.record_url(record, actor)
    return {"text": text, "url": url}
