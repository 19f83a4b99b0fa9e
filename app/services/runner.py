"""The generic process runner: start, lock, load, check, run, save.

Every change to an instance follows one path, inside the entry point's single
transaction:

1. ``lock_instance``: an ``UPDATE`` of the instance row takes the row lock on
   PostgreSQL (a concurrent request waits, then sees the committed result);
   SQLite writers are already serialised by ``BEGIN IMMEDIATE`` (``db.py``);
2. re-read the task rows and the record and re-check everything;
3. run the engine;
4. ``save``: engine state, status, the ``human_task`` projection (with each task's
   candidates) and the event log, all in the same transaction.

A second reviewer completing the same task therefore gets 409 at once and the
instance is untouched. Nothing here knows a process: what a record is, who may act
in a lane and what a step's inputs mean come from the record's plug-in.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma
from sqlalchemy import bindparam, select, update

from workflows import (
    EventNotWaiting,
    LoadedInstance,
    TaskInfo,
    TaskStateError,
    decision_data,
)

from .. import plain_load
from ..db import read, reread
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..i18n import _, localise
from ..models import HumanTask, ProcessDefinition, ProcessInstance, utcnow
from ..models.process import PUBLISHED
from . import candidates, plugins
from .actors import Actor
from .audit import record_event
from .engine import bundle_for, engine
from .labels import decision_label
from .plugins import ProcessPlugin, StepContext
from .saving import Completion, save
from .task_rows import OPEN, editable_by, listening, open_tasks, open_tasks_of, waiting_for
from .task_rows import open_rows as _open_rows

__all__ = ["DecisionForm", "Host", "complete_own_step", "complete_task", "editable_by", "listening", "load",
           "lock_instance", "open_tasks", "open_tasks_of", "release_task", "save", "send_message", "start",
           "take_task", "waiting_for"]

SUSPENDED = "suspended"  # the instance is suspended by a process administrator (out of every inbox)


@dataclass
class Host:
    """Handed to service-task handlers: which instance and record they act for."""

    instance: ProcessInstance
    record: Any
    actor: Actor | None


@dataclass
class DecisionForm:
    """A decision on a step: the decision, a comment and the inputs of the step's form."""

    decision: str
    comment: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


# Built once: every start reads it (building it cost ~250 Python calls); its id, as plain rows.
_LATEST_DEFINITION = (select(ProcessDefinition.id)
                      .where(ProcessDefinition.process_key == bindparam("process_key"),
                             ProcessDefinition.status == PUBLISHED)
                      .order_by(ProcessDefinition.version.desc()).limit(1))


def latest_definition_id(process_key: str) -> int:
    definition_id = read(_LATEST_DEFINITION, {"process_key": process_key}).scalar()
    if definition_id is None:
        raise Conflict(_("The process %(process)s is not deployed.", process=process_key), code="not_deployed")
    return definition_id


def start(plugin: ProcessPlugin, record: Any, actor: Actor | None, data: dict[str, Any], *,
          process_key: str | None = None, action: str = "create",
          event_data: dict[str, Any] | None = None) -> ProcessInstance:
    key = process_key or next(iter(plugin.processes))
    definition_id = latest_definition_id(key)
    instance = ProcessInstance(definition_id=definition_id, process_key=key,
                               record_type=plugin.record_type, record_id=record.id, state="")
    db.session.add(instance)
    db.session.flush()
    if hasattr(record, "instance_id"):  # every plug-in links its record to the instance after ``start``:
        record.instance_id = instance.id  # linked here, it rides in the save's UPDATE of the record
    loaded = engine().start(bundle_for(definition_id), {**plugin.engine_data(record), **data},
                            Host(instance, record, actor),
                            services=plugin.handlers)
    # the event before the save (after the engine's own, as ever): the instance's new chain head then
    # goes out in the save's UPDATE instead of an UPDATE of its own
    record_event(instance, actor, action, data=event_data, head_saved_by_caller=True)
    save(instance, loaded, plugin, record, fresh=True)
    return instance


def _lock_statement(where: Any) -> Any:
    """Take the instance's row lock and read its row back in the same statement (``plain_load``: the
    ORM's execution of it cost ~150 Python calls more)."""
    table = ProcessInstance.__table__
    return (update(table).where(where).values(lock_version=table.c.lock_version + 1)
            .returning(*plain_load.columns(ProcessInstance)))


# Each built once, at its first lock (every change to an instance starts with one: building it cost
# ~300 Python calls). The values' names are no column's, so they only bind (an UPDATE's column-named
# values would SET).
@functools.cache
def _lock_by_id() -> Any:
    return _lock_statement(ProcessInstance.id == bindparam("lock_instance_id"))


@functools.cache
def _lock_by_task() -> Any:
    return _lock_statement(ProcessInstance.id == select(HumanTask.instance_id)
                           .where(HumanTask.id == bindparam("lock_task_id")).scalar_subquery())


def _lock(locking: tuple[Any, dict[str, int]]) -> ProcessInstance | None:
    """Every path to an instance's row lock: one of those statements and its values."""
    statement, values = locking
    return plain_load.first(ProcessInstance, statement, values)


def lock_instance(instance_id: int) -> ProcessInstance:
    instance = _lock((_lock_by_id(), {"lock_instance_id": instance_id}))
    if instance is None:
        raise NotFound(_("Process instance not found."))
    return instance


def load(instance: ProcessInstance, record: Any, actor: Actor | None, plugin: ProcessPlugin) -> LoadedInstance:
    return engine().load(bundle_for(instance.definition_id), instance.state,
                         Host(instance, record, actor), services=plugin.handlers)


# -- acting on one human task -------------------------------------------------

def acting_org(task_id: int, actor: Actor) -> int | None:
    """The organisation ``actor`` acts for on the task (0: as the person); None: not a candidate."""
    org, values = candidates.acting_org(actor)
    return db.session.scalar(select(org).where(HumanTask.id == task_id), values)


def task_info(row: HumanTask) -> TaskInfo:
    definition_id = db.session.scalar(select(ProcessInstance.definition_id)
                                      .where(ProcessInstance.id == row.instance_id))
    return bundle_for(definition_id).task(row.task_spec)


def _locked_task(task_id: int, actor: Actor) -> tuple[HumanTask, ProcessInstance, list[HumanTask], int | None]:
    """Lock the task's instance (one statement), then read its open task rows under the lock."""
    instance = _lock((_lock_by_task(), {"lock_task_id": task_id}))
    if instance is None:
        raise NotFound(_("Task not found."))
    rows = _open_rows(instance.id, actor)
    found = next(((row, org) for row, org in rows if row.id == task_id), None)
    if found is None:  # closed meanwhile (or never open): read it for the right answer
        row = db.session.get(HumanTask, task_id, populate_existing=True)
        org = acting_org(task_id, actor)
    else:
        row, org = found
    _check_actionable(row, actor, org)
    return row, instance, [r for r, _org in rows], org


def _check_actionable(row: HumanTask, actor: Actor, org: int | None) -> None:
    if org is None:
        raise Forbidden(_("You are not a candidate for this task."))
    if row.status == SUSPENDED:
        raise _suspended()
    if row.status != OPEN:
        raise Conflict(_("This task has already been handled."), code="task_closed")
    if row.assignee_id not in (None, actor.id):
        raise Conflict(_("Someone else has taken this task."), code="task_held")


def _suspended() -> Conflict:
    return Conflict(_("This process is suspended by a process administrator; it cannot go on until it is "
                      "resumed."), code="suspended")


def refuse_if_suspended(instance: ProcessInstance) -> None:
    if instance.suspended:
        raise _suspended()


def check_decision(plugin: ProcessPlugin, info: TaskInfo, form: DecisionForm) -> None:
    if form.decision not in info.decisions:
        offered = _(", ").join(decision_label(plugin, d) for d in info.decisions)
        raise Invalid(_("This step accepts: %(decisions)s.", decisions=offered),
                      code="invalid_decision", fields={"decision": [_("Choose one of the options.")]})
    if form.decision in info.comment_required and not (form.comment or "").strip():
        raise Invalid(_("Please give a comment for this decision."),
                      code="comment_required", fields={"comment": [_("Required for this decision.")]})


def _step_inputs(plugin: ProcessPlugin, info: TaskInfo, form: DecisionForm, record: Any,
                 actor: Actor) -> dict[str, Any]:
    """Validate the step form's inputs and apply them to the record; returns what the log keeps."""
    step = plugin.form_for(info)
    values = dict(form.values or {})
    if step is None:
        if values:
            raise Invalid(_("This step takes no other input."), code="invalid",
                          fields={key: [_("Unknown field.")] for key in values})
        return {}
    try:
        loaded = step.load(values)
    except ma.ValidationError as exc:
        raise Invalid(_("Some inputs are missing or wrong."), code="invalid",
                      fields=localise(exc.normalized_messages())) from None
    if not step.takes(form.decision):
        return {}
    return step.apply(StepContext(record, loaded, form.decision, info, actor)) or {}


def complete_task(task_id: int, actor: Actor, form: DecisionForm) -> HumanTask:
    row, instance, open_rows, org = _locked_task(task_id, actor)
    return _complete(row, instance, actor, form, org, open_rows=open_rows)


def complete_own_step(instance_id: int, actor: Actor, form: DecisionForm, record: Any) -> HumanTask:
    """Complete the open step of the actor's that offers ``form.decision``, done from the record's
    own page or route rather than the inbox: a trainee's submit (a personal step), or a
    provider's submit (a step of its organisation's lane).

    The step is looked up after the lock, so a concurrent change is seen.
    """
    instance = lock_instance(instance_id)
    refuse_if_suspended(instance)
    rows = _open_rows(instance_id, actor)
    bundle = bundle_for(instance.definition_id)
    found = next(((row, org) for row, org in rows if org is not None
                  and form.decision in bundle.task(row.task_spec).decisions), None)
    if found is None:
        raise Conflict(_("There is nothing to submit in the current status."), code="not_editable")
    reread(record)
    row, org = found
    return _complete(row, instance, actor, form, org, record, open_rows=[r for r, _org in rows])


def _complete(row: HumanTask, instance: ProcessInstance, actor: Actor, form: DecisionForm, org: int | None,
              record: Any = None, *, open_rows: list[HumanTask] | None = None) -> HumanTask:
    plugin = plugins.for_type(row.record_type)
    record = record if record is not None else plugin.get(row.record_id, refresh=True)
    info = bundle_for(instance.definition_id).task(row.task_spec)
    check_decision(plugin, info, form)
    event_data = _step_inputs(plugin, info, form, record, actor)
    loaded = load(instance, record, actor, plugin)
    try:
        loaded.complete(row.engine_task_id, {**plugin.engine_data(record), **decision_data(info.spec, form.decision)})
    except TaskStateError:  # projection and engine disagree: refuse, change nothing
        raise Conflict(_("The task has changed meanwhile; reload and try again."), code="task_closed") from None
    record_event(instance, actor, info.properties.get("action", info.spec),
                 org_id=org or None, task_spec=info.spec, decision=form.decision,
                 comment=form.comment, data=event_data, head_saved_by_caller=True)
    save(instance, loaded, plugin, record, Completion(row.engine_task_id, actor.id, form.decision),
         open_rows=open_rows)
    return row


def take_task(task_id: int, actor: Actor) -> HumanTask:
    """Take a review so colleagues see it is being handled (only the taker may then decide)."""
    row, instance, _open, org = _locked_task(task_id, actor)
    if row.personal:
        raise Conflict(_("A personal task cannot be taken or released."), code="not_takeable")
    if row.assignee_id is None:
        row.assignee_id = actor.id
        row.claimed_at = utcnow()
        record_event(instance, actor, "take", org_id=org or None, task_spec=row.task_spec)
    return row


def release_task(task_id: int, actor: Actor) -> HumanTask:
    row, instance, _open, org = _locked_task(task_id, actor)
    if row.personal:
        raise Conflict(_("A personal task cannot be taken or released."), code="not_takeable")
    if row.assignee_id == actor.id:
        row.assignee_id = None
        row.claimed_at = None
        record_event(instance, actor, "release", org_id=org or None, task_spec=row.task_spec)
    return row


def send_message(instance_id: int, plugin: ProcessPlugin, record_id: int, actor: Actor, message: str,
                 action: str, comment: str | None = None,
                 data: dict[str, Any] | None = None) -> ProcessInstance:
    """Deliver a BPMN message (withdraw, cancel, delete) to a locked instance.

    Only a step that waits for the message takes it; otherwise the answer is 409
    (``not_waiting``) and nothing changes.
    """
    instance = lock_instance(instance_id)
    refuse_if_suspended(instance)
    record = plugin.get(record_id, refresh=True)
    loaded = load(instance, record, actor, plugin)
    try:
        loaded.send_message(message)
    except EventNotWaiting:
        raise Conflict(_("This cannot be done at the current step."), code="not_waiting") from None
    record_event(instance, actor, action, comment=comment, data=data, head_saved_by_caller=True)
    save(instance, loaded, plugin, record)
    return instance
