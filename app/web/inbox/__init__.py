"""The reviewer's pages: the task inbox (with confirmed batch decisions) and one task with its record.

Every read and action goes through the services with the actor of the chosen role; a
``ServiceError`` shows on the page (next to the field it names) with its own HTTP status,
and what the reviewer typed is kept. Nothing here knows a process: the record on the task
page is drawn by its plug-in's template, the step's inputs come from its plug-in's form.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ...db import savepoint
from ...errors import NotFound, ServiceError
from ...extensions import db
from ...i18n import _, label
from ...models import ProcessInstance
from ...services import attachments, inbox, plugins, presenters, runner
from ...services.engine import bundle_for
from ...services.labels import decision_label, decision_remark
from ...services.runner import DecisionForm as Decided
from .. import session as web_session
from ..forms import safe_next
from ..pages import file_items, file_response, render_service_page
from ..step_forms import fields_of, submitted_values
from .forms import STATUSES, BatchForm, DecisionForm, FilterForm

blp = Blueprint("inbox", __name__)

PER_PAGE = 20
MAX_PAGE = 100000
DEFAULTS = {"status": "open", "sort": "oldest"}
# The service's own messages for these are the ones to show next to the field.
MESSAGE_AT_FIELD = frozenset({"comment_required", "invalid_decision"})


# -- the inbox ----------------------------------------------------------------------

def _processes() -> dict[str, str]:
    return plugins.registry().process_names()


@blp.route("/inbox")
def index() -> Any:
    return _inbox_page(request.args)


def _steps(rows: list[Any]) -> dict[int, Any]:
    """The diagram step of each listed task (one query for the instances' versions)."""
    instance_ids = {row.instance_id for row in rows}
    versions = dict(db.session.execute(select(ProcessInstance.id, ProcessInstance.definition_id)
                                       .where(ProcessInstance.id.in_(instance_ids))).all()) if rows else {}
    return {row.id: bundle_for(versions[row.instance_id]).task(row.task_spec) for row in rows}


def _inbox_page(args: MultiDict[str, str], *, batch_form: BatchForm | None = None,
                status: int = 200, **context: Any) -> tuple[str, int]:
    actor = web_session.actor()
    processes = _processes()
    filters = FilterForm(args, processes)
    chosen = filters.values()
    page = _page(args.get("page"))
    flt = inbox.InboxFilter(process=chosen["process"], status=chosen["status"], year=chosen["year"],
                            q=chosen["q"], sort=chosen["sort"], page=page, per_page=PER_PAGE, personal=False)
    rows, total = inbox.list_tasks(actor, flt)
    steps = _steps(rows)
    items = [_item(row, actor, steps[row.id]) for row in rows]
    link_args = {k: v for k, v in chosen.items() if v not in (None, "") and DEFAULTS.get(k) != v}
    return render_template(
        "inbox/index.html", filters=filters, chosen=chosen, link_args=link_args, page=page,
        per_page=PER_PAGE, total=min(total, inbox.COUNT_CAP),
        total_text=f"{inbox.COUNT_CAP}+" if total > inbox.COUNT_CAP else str(total),
        items=items, counts=inbox.waiting_counts(actor, personal=False), processes=processes,
        status_label=STATUSES.get(chosen["status"], ""), batch_decisions=_batch_decisions(items),
        batch_form=batch_form or BatchForm(formdata=None),
        here=url_for("inbox.index", **link_args, **({"page": page} if page > 1 else {})),
        **context), status


def _item(row: Any, actor: Any, step: Any) -> dict[str, Any]:
    item = inbox.task_item(row)
    plugin = plugins.for_type(row.record_type)
    item["process_label"] = label(_processes().get(item["process"], item["process"]))
    item["mine"] = row.assignee_id == actor.id
    item["actionable"] = item["status"] in ("open", "claimed") and row.assignee_id in (None, actor.id)
    item["decision_label"] = decision_label(plugin, item["decision"])
    item["decisions"] = [(d, decision_label(plugin, d)) for d in step.decisions] if item["actionable"] else []
    return item


def _batch_decisions(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The decisions the listed steps offer, each once, in the order the steps give them."""
    found: dict[str, str] = {}
    for item in items:
        for value, text in item["decisions"]:
            found.setdefault(value, text)
    return list(found.items())


def _page(value: str | None) -> int:
    return min(int(value), MAX_PAGE) if value and value.isdigit() and int(value) > 0 else 1


def _task_ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 12]


@blp.route("/inbox/batch", methods=["POST"])
def batch() -> Any:
    """One decision for the checked tasks: first a page to confirm them, then the decision."""
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
    decision = Decided(form.decision.data, (form.comment.data or "").strip() or None)
    rows = [row for row in (_visible_row(tid, actor) for tid in task_ids) if row is not None]
    steps = _steps(rows)
    if rows and not any(decision.decision in steps[row.id].decisions for row in rows):
        return _inbox_page(request.form, batch_form=form, status=422,
                           batch_problem=_("None of the selected tasks offers this decision."))
    comment_missing = not decision.comment and any(decision.decision in steps[row.id].comment_required
                                                   for row in rows)
    if request.form.get("confirmed") != "1" or comment_missing:
        return _confirm_page(actor, form, rows, steps, decision, comment_missing)
    results = inbox.complete_batch(task_ids, actor, decision)
    succeeded = sum(1 for r in results if r["ok"])
    return _inbox_page(request.form, batch_form=BatchForm(formdata=None), results=results,
                       succeeded=succeeded, failed=len(results) - succeeded,
                       decision_label=_decision_words(decision.decision))


def _decision_words(decision: str) -> str:
    words = {decision_label(plugin, decision) for plugin in plugins.registry()}
    return sorted(words)[0] if len(words) == 1 else decision


def _confirm_page(actor: Any, form: BatchForm, rows: list[Any], steps: dict[int, Any], decision: Decided,
                  comment_missing: bool) -> Any:
    """What is about to be decided, record by record, before anything changes."""
    problem = _("Please give a comment for this decision.") if comment_missing else None
    items = [_item(row, actor, steps[row.id]) for row in rows]
    return render_template("inbox/confirm.html", items=[item for item in items if item["actionable"]],
                           form=form, decision=decision.decision, problem=problem,
                           decision_label=_decision_words(decision.decision),
                           next_url=safe_next(request.form.get("next"), url_for("inbox.index"))), \
        (422 if problem and request.form.get("confirmed") == "1" else 200)


def _visible_row(task_id: int, actor: Any) -> Any:
    try:
        return inbox.get_task(task_id, actor)
    except ServiceError:
        return None


# -- one task -------------------------------------------------------------------------

@blp.route("/tasks/<int:task_id>")
def task(task_id: int) -> Any:
    return _task_page(task_id)


@blp.route("/tasks/<int:task_id>/complete", methods=["POST"])
def complete(task_id: int) -> Any:
    actor = web_session.actor()
    try:
        loaded = _load(task_id, actor)
    except ServiceError as exc:
        return render_service_page(exc)
    info, plugin = loaded["info"], loaded["plugin"]
    form = DecisionForm().for_step(_choices(plugin, info), [])
    if not form.validate_on_submit():
        return _task_page(task_id, form=form, status=422)
    step = plugin.form_for(info)
    decided = Decided(form.decision.data, (form.comment.data or "").strip() or None,
                      submitted_values(step, request.form, form.decision.data))
    try:
        with savepoint():
            runner.complete_task(task_id, actor, decided)
    except ServiceError as exc:
        return _task_page(task_id, form=form, error=exc)
    result = decision_remark(plugin, decided.decision) or decision_label(plugin, decided.decision)
    flash(_("%(name)s, %(task)s: %(result)s", name=loaded["item"]["subject"], task=label(loaded["row"].name),
            result=result), "success")
    return redirect(safe_next(request.form.get("next"), url_for("inbox.index")))


@blp.route("/tasks/<int:task_id>/take", methods=["POST"])
def take(task_id: int) -> Any:
    return _hold(task_id, runner.take_task, _("You have taken this task; colleagues see it is yours."))


@blp.route("/tasks/<int:task_id>/release", methods=["POST"])
def release(task_id: int) -> Any:
    return _hold(task_id, runner.release_task, _("You have released this task; colleagues may take it."))


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
    """A file of the task's record, to be shown inside the task page."""
    actor = web_session.actor()
    try:
        row = _review_task(task_id, actor)
        plugin = plugins.for_type(row.record_type)
        if not plugin.readable(plugin.get(row.record_id), actor):
            raise NotFound(_("File not found."))
        stored, data = attachments.read(row.record_type, row.record_id, file_id, actor)
    except ServiceError as exc:
        return render_service_page(exc)
    return file_response(stored, data)


def _review_task(task_id: int, actor: Any) -> Any:
    """The task, if the actor is a candidate; a person's own steps are done on the record's pages."""
    row = inbox.get_task(task_id, actor)
    if row.personal:
        raise NotFound(_("Task not found."))
    return row


def _load(task_id: int, actor: Any) -> dict[str, Any]:
    row = _review_task(task_id, actor)
    plugin = plugins.for_type(row.record_type)
    record = plugin.get(row.record_id)
    if not plugin.readable(record, actor):
        raise NotFound(_("Task not found."))
    definition_id = db.session.scalar(select(ProcessInstance.definition_id)
                                      .where(ProcessInstance.id == row.instance_id))
    return {"row": row, "item": inbox.task_item(row), "plugin": plugin, "record": record,
            "info": bundle_for(definition_id).task(row.task_spec)}


def _choices(plugin: Any, info: Any) -> list[tuple[str, str]]:
    return [(d, decision_label(plugin, d)) for d in info.decisions]


def _task_page(task_id: int, *, form: DecisionForm | None = None, error: ServiceError | None = None,
               status: int | None = None) -> tuple[str, int]:
    actor = web_session.actor()
    try:
        loaded = _load(task_id, actor)
    except ServiceError as exc:
        return render_service_page(exc)
    row, item, plugin, record, info = (loaded[k] for k in ("row", "item", "plugin", "record", "info"))
    needed = [decision_label(plugin, d) for d in info.decisions if d in info.comment_required]
    form = (form or DecisionForm(formdata=None)).for_step(_choices(plugin, info), needed)
    field_errors: dict[str, list[str]] = {}
    if error is not None:
        for key, messages in (error.fields or {}).items():
            field_errors[key] = [error.message] if error.code in MESSAGE_AT_FIELD else list(messages)
    step = plugin.form_for(info)
    submitted = request.form if request.method == "POST" else None
    instance_url = url_for("processes.show", instance_id=row.instance_id)
    log, log_more = presenters.bounded_log(row.instance_id, plugin)
    return render_template(
        "inbox/task.html", task=item, row=row, info=info, plugin=plugin, record=plugin.present(record, actor),
        files=file_items([attachments.view(f) for f in plugin.files(record)]),
        form=form, error=error, field_errors=field_errors,
        step_fields=fields_of(step, record, submitted, field_errors),
        holder=item["assignee_name"] if row.assignee_id not in (None, actor.id) else None,
        process_label=label(_processes().get(row.process_key, row.process_key)), task_label=label(row.name),
        mine=row.status == "open" and row.assignee_id == actor.id,
        decision_label=decision_label(plugin, row.decision), log=log, log_more=log_more,
        waiting=presenters.waiting_steps(row.instance_id), process_url=instance_url,
        next_url=safe_next(request.values.get("next"), url_for("inbox.index")),
    ), status or (error.status if error else 200)
