"""The reviewer's pages: the task inbox (with batch decisions) and one task with its record.

Every read and action goes through the services with the actor of the chosen
role; a ``ServiceError`` shows on the page (next to the field it names) with
its own HTTP status, and what the reviewer typed is kept.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from ...db import savepoint
from ...errors import NotFound, ServiceError
from ...i18n import _, label
from ...services import claim_files, inbox, processes
from ...services.labels import DECISION_LABELS, DECISION_REMARKS
from ...services.records import DecisionForm as ServiceDecision
from .. import render_service_page
from .. import session as web_session
from ..files import proof_response
from ..forms import safe_next
from . import queries, records
from .forms import PROCESSES, STATUSES, BatchForm, DecisionForm, FilterForm, process_label

blp = Blueprint("inbox", __name__)

PER_PAGE = 20
MAX_PAGE = 100000
DEFAULTS = {"status": "open", "sort": "oldest"}
# The service's own messages for these are the ones to show next to the field.
MESSAGE_AT_FIELD = frozenset({"comment_required", "invalid_decision"})


# -- the inbox ----------------------------------------------------------------------

@blp.route("/inbox")
def index() -> Any:
    return _inbox_page(request.args)


@blp.route("/inbox/batch", methods=["POST"])
def batch() -> Any:
    actor = web_session.actor()
    form = BatchForm()
    task_ids = _task_ids(request.form.getlist("task_ids"))
    problem = None
    if not task_ids:
        problem = _("Select at least one task.")
    elif len(task_ids) > inbox.MAX_BATCH:
        problem = _("At most %(n)s tasks at a time.", n=inbox.MAX_BATCH)
    if not form.validate_on_submit() or problem:
        return _inbox_page(request.form, batch_form=form, batch_problem=problem, status=422)
    decision = ServiceDecision(form.decision.data, (form.comment.data or "").strip() or None)
    results = inbox.complete_batch(task_ids, actor, decision)
    names = queries.summaries(actor, [r["task_id"] for r in results])
    for result in results:
        result["trainee"] = names.get(result["task_id"], {}).get("trainee_name")
    succeeded = sum(1 for r in results if r["ok"])
    return _inbox_page(request.form, batch_form=BatchForm(formdata=None), results=results,
                       succeeded=succeeded, failed=len(results) - succeeded,
                       decision_label=DECISION_LABELS.get(decision.decision, decision.decision))


def _inbox_page(args: MultiDict[str, str], *, batch_form: BatchForm | None = None,
                status: int = 200, **context: Any) -> tuple[str, int]:
    actor = web_session.actor()
    filters = FilterForm(args)
    chosen = filters.values()
    page = _page(args.get("page"))
    flt = inbox.InboxFilter(process=chosen["process"], status=chosen["status"], year=chosen["year"],
                            page=page, per_page=PER_PAGE)
    rows, total = queries.search(actor, flt, chosen["q"], newest_first=chosen["sort"] == "newest")
    link_args = {k: v for k, v in chosen.items() if v not in (None, "") and DEFAULTS.get(k) != v}
    return render_template(
        "inbox/index.html", filters=filters, chosen=chosen, link_args=link_args, page=page,
        per_page=PER_PAGE, total=min(total, inbox.COUNT_CAP),
        total_text=f"{inbox.COUNT_CAP}+" if total > inbox.COUNT_CAP else str(total),
        items=[_item(row, actor) for row in rows],
        counts=queries.waiting_counts(actor, list(PROCESSES)), processes=PROCESSES,
        process_label=process_label, status_label=STATUSES.get(chosen["status"], ""),
        batch_form=batch_form or BatchForm(formdata=None),
        here=url_for("inbox.index", **link_args, **({"page": page} if page > 1 else {})),
        **context), status


def _item(row: Any, actor: Any) -> dict[str, Any]:
    item = inbox.task_item(row)
    item["summary"] = item["summary"] or {}
    item["process_label"] = process_label(item["process"])
    item["task_label"] = label(item["name"])
    item["route_label"] = label(item["summary"].get("route_label"))
    item["assignee_name"] = row.assignee_name
    item["mine"] = row.assignee_id == actor.id
    item["actionable"] = item["status"] in ("open", "claimed") and row.assignee_id in (None, actor.id)
    item["decision_label"] = DECISION_LABELS.get(item["decision"] or "", item["decision"] or "")
    return item


def _page(value: str | None) -> int:
    return min(int(value), MAX_PAGE) if value and value.isdigit() and int(value) > 0 else 1


def _task_ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 12]


# -- one task -------------------------------------------------------------------------

@blp.route("/tasks/<int:task_id>")
def task(task_id: int) -> Any:
    return _task_page(task_id)


@blp.route("/tasks/<int:task_id>/complete", methods=["POST"])
def complete(task_id: int) -> Any:
    actor = web_session.actor()
    try:
        row, info, record = _load(task_id, actor)
    except ServiceError as exc:
        return render_service_page(exc)
    hours_field = _hours_field(row, info)
    form = DecisionForm().for_step(info.decisions, info.comment_required, hours_field)
    if not form.validate_on_submit():
        return _task_page(task_id, form=form, status=422)
    hours = (form.hours.data or "").strip() if hours_field and form.decision.data == "approve" else None
    decision = ServiceDecision(form.decision.data, (form.comment.data or "").strip() or None, hours)
    try:
        with savepoint():
            processes.complete_task(task_id, actor, decision)
    except ServiceError as exc:
        return _task_page(task_id, form=form, error=exc)
    result = DECISION_REMARKS.get(decision.decision) or decision.decision
    flash(_("%(name)s, %(task)s: %(result)s", name=record["trainee"]["name"], task=label(row.name),
            result=result), "success")
    return redirect(safe_next(request.form.get("next"), url_for("inbox.index")))


@blp.route("/tasks/<int:task_id>/claim", methods=["POST"])
def claim(task_id: int) -> Any:
    return _hold(task_id, processes.claim_task, _("You have taken this task; colleagues see it is yours."))


@blp.route("/tasks/<int:task_id>/unclaim", methods=["POST"])
def unclaim(task_id: int) -> Any:
    return _hold(task_id, processes.unclaim_task, _("You have released this task; colleagues may take it."))


def _hold(task_id: int, action: Any, message: str) -> Any:
    actor = web_session.actor()
    try:
        _review_task(task_id, actor)
        with savepoint():
            action(task_id, actor)
    except ServiceError as exc:
        return _task_page(task_id, error=exc)
    flash(message, "success")
    return redirect(safe_next(request.form.get("next"), url_for("inbox.task", task_id=task_id)))


@blp.route("/tasks/<int:task_id>/files/<int:file_id>")
def proof(task_id: int, file_id: int) -> Any:
    """A proof file of the task's claim, to be shown inside the task page."""
    actor = web_session.actor()
    try:
        row = _review_task(task_id, actor)
        if row.record_type != "claim":
            raise NotFound(_("File not found."))
        stored, data = claim_files.read_file(row.record_id, file_id, actor)
    except ServiceError as exc:
        return render_service_page(exc)
    return proof_response(stored, data)


def _review_task(task_id: int, actor: Any) -> Any:
    """The task, if the actor is a candidate; a trainee's own steps are done on the trainee pages."""
    row = inbox.get_task(task_id, actor)
    if row.candidate_role == "trainee":
        raise NotFound(_("Task not found."))
    return row


def _load(task_id: int, actor: Any) -> tuple[Any, Any, dict[str, Any]]:
    row = _review_task(task_id, actor)
    return row, processes.task_info(row), records.record_for(row.record_type, row.record_id, actor)


def _hours_field(row: Any, info: Any) -> str | None:
    return info.properties.get("hours") if row.record_type == "claim" else None


def _task_page(task_id: int, *, form: DecisionForm | None = None, error: ServiceError | None = None,
               status: int | None = None) -> tuple[str, int]:
    actor = web_session.actor()
    try:
        row, info, record = _load(task_id, actor)
    except ServiceError as exc:
        return render_service_page(exc)
    hours_field = _hours_field(row, info)
    if form is None:
        form = DecisionForm(formdata=None, hours=_default_hours(record, hours_field))
    form.for_step(info.decisions, info.comment_required, hours_field)
    if hours_field:
        form.hours.description = _("Applies when approving. This trainee has %(remaining)s hours left on "
                                   "this route this year.", remaining=f"{record['cap_remaining']:.1f}")
    field_errors: dict[str, list[str]] = {}
    if error is not None:
        for key, messages in (error.fields or {}).items():
            field_errors[key] = [error.message] if error.code in MESSAGE_AT_FIELD else list(messages)
    item = inbox.task_item(row)
    holder = None
    if row.assignee_id not in (None, actor.id):
        holder = queries.user_name(row.assignee_id)
    return render_template(
        "inbox/task.html", task=item, row=row, info=info, record=record, form=form, error=error,
        field_errors=field_errors, hours_field=hours_field, holder=holder,
        process_label=process_label(row.process_key), task_label=label(row.name),
        mine=row.status == "open" and row.assignee_id == actor.id,
        decision_label=DECISION_LABELS.get(row.decision or "", row.decision or ""),
        process_url=url_for("processes.show", instance_id=row.instance_id),
        next_url=safe_next(request.values.get("next"), url_for("inbox.index")),
    ), status or (error.status if error else 200)


def _default_hours(record: dict[str, Any], hours_field: str | None) -> str | None:
    value = {"reviewed": record.get("hours_requested"),
             "registered": record.get("hours_reviewed")}.get(hours_field or "")
    return f"{value:.1f}" if value is not None else None


