"""The generic process runner: start, lock, load, check, run, save.

Every change to an instance follows one path, inside the entry point's single
transaction:

1. ``lock_instance``: an ``UPDATE`` of the instance row takes the row lock on
   PostgreSQL (a concurrent request waits, then sees the committed result);
   SQLite writers are already serialised by ``BEGIN IMMEDIATE`` (``db.py``);
2. re-read the task row and the record and re-check everything;
3. run the engine;
4. ``save``: engine state, status, the ``human_task`` projection and the event
   log, all in the same transaction.

A second reviewer completing the same task therefore gets 409 at once and the
instance is untouched.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from workflows import EventNotWaiting, LoadedInstance, ReadyTask, Snapshot, TaskInfo, TaskStateError

from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..i18n import _
from ..models import HumanTask, ProcessDefinition, ProcessInstance, utcnow
from .actors import Actor
from .audit import record_event
from .engine import bundle_for, engine
from .labels import DECISION_LABELS
from .records import DecisionForm, RecordType, record_type


@dataclass
class Host:
    """Handed to service-task handlers: which instance and record they act for."""

    instance: ProcessInstance
    record: Any
    actor: Actor | None


def latest_definition(process_key: str) -> ProcessDefinition:
    definition = db.session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.process_key == process_key)
        .order_by(ProcessDefinition.version.desc()).limit(1)).first()
    if definition is None:
        raise Conflict(_("The process %(process)s is not deployed.", process=process_key), code="not_deployed")
    return definition


def start(rt: RecordType, record: Any, actor: Actor | None, data: dict[str, Any], *,
          action: str = "create", event_data: dict[str, Any] | None = None) -> ProcessInstance:
    definition = latest_definition(rt.process_key)
    instance = ProcessInstance(definition_id=definition.id, process_key=rt.process_key,
                               record_type=rt.record_type, record_id=record.id, state="")
    db.session.add(instance)
    db.session.flush()
    loaded = engine().start(bundle_for(definition.id), data, Host(instance, record, actor))
    save(instance, loaded, rt, record, fresh=True)
    record_event(instance, actor, action, data=event_data)
    return instance


def _lock(where: Any) -> ProcessInstance | None:
    """Take the instance's row lock and read it back in the same statement."""
    statement = (update(ProcessInstance).where(where)
                 .values(lock_version=ProcessInstance.lock_version + 1)
                 .returning(ProcessInstance)
                 .execution_options(populate_existing=True, synchronize_session=False))
    return db.session.scalars(statement).first()


def lock_instance(instance_id: int) -> ProcessInstance:
    instance = _lock(ProcessInstance.id == instance_id)
    if instance is None:
        raise NotFound(_("Process instance not found."))
    return instance


def _open_rows(instance_id: int) -> list[HumanTask]:
    return list(db.session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
        .order_by(HumanTask.id).execution_options(populate_existing=True)))


def load(instance: ProcessInstance, record: Any, actor: Actor | None) -> LoadedInstance:
    return engine().load(bundle_for(instance.definition_id), instance.state,
                         Host(instance, record, actor))


def save(instance: ProcessInstance, loaded: LoadedInstance, rt: RecordType, record: Any,
         completed_task_id: str | None = None, *, fresh: bool = False,
         open_rows: list[HumanTask] | None = None) -> Snapshot:
    """Persist the engine state and everything derived from it.

    ``fresh``: the instance was just created, so it has no task rows yet;
    ``open_rows``: its open task rows, when the caller already read them under the lock.
    """
    snapshot = loaded.snapshot()
    now = utcnow()
    instance.state = snapshot.state
    instance.status = snapshot.status
    instance.status_label = snapshot.status_label
    instance.completed = snapshot.completed
    instance.next_timer_due = snapshot.next_timer_due
    instance.updated_at = now
    if snapshot.completed and instance.ended_at is None:
        instance.ended_at = now
    rt.on_saved(record, snapshot, snapshot.status_label)
    if fresh:
        open_rows = []
    elif open_rows is None:
        open_rows = _open_rows(instance.id)
    _sync_tasks(instance, snapshot.ready, rt, record, completed_task_id, now, open_rows)
    return snapshot


def _sync_tasks(instance: ProcessInstance, ready: list[ReadyTask], rt: RecordType, record: Any,
                completed_task_id: str | None, now: Any, open_rows: list[HumanTask]) -> None:
    ready_ids = {task.id for task in ready}
    for row in open_rows:
        if row.engine_task_id not in ready_ids:
            row.status = "completed" if row.engine_task_id == completed_task_id else "cancelled"
            row.completed_at = now
    known = {row.engine_task_id for row in open_rows}
    fresh = [task for task in ready if task.id not in known]
    if not fresh:
        return
    summary = rt.summary(record)
    for task in fresh:
        candidate = rt.candidate(task.lane, record)
        db.session.add(HumanTask(
            instance_id=instance.id, engine_task_id=task.id, process_key=instance.process_key,
            task_spec=task.spec, name=task.info.name, lane=task.lane,
            candidate_role=candidate.role, candidate_org_id=candidate.org_id,
            assignee_id=candidate.assignee_id, subject_user_id=rt.subject_user_id(record),
            record_type=rt.record_type, record_id=record.id, year=rt.year(record),
            summary=summary, created_at=now, status="open"))


# -- acting on one human task -------------------------------------------------

def is_candidate(row: HumanTask, actor: Actor) -> bool:
    if row.candidate_role == "trainee":
        return row.assignee_id == actor.id and actor.acts_as_trainee
    return actor.has(row.candidate_role, row.candidate_org_id)


def task_info(row: HumanTask) -> TaskInfo:
    instance = db.session.get(ProcessInstance, row.instance_id)
    return bundle_for(instance.definition_id).task(row.task_spec)


def _locked_task(task_id: int, actor: Actor) -> tuple[HumanTask, ProcessInstance, list[HumanTask]]:
    """Lock the task's instance (one statement), then read its open task rows under the lock."""
    instance = _lock(ProcessInstance.id == select(HumanTask.instance_id)
                     .where(HumanTask.id == task_id).scalar_subquery())
    if instance is None:
        raise NotFound(_("Task not found."))
    open_rows = _open_rows(instance.id)
    row = next((r for r in open_rows if r.id == task_id), None)
    if row is None:  # closed meanwhile (or never open): read it for the right answer
        row = db.session.get(HumanTask, task_id, populate_existing=True)
    _check_actionable(row, actor)
    return row, instance, open_rows


def _check_actionable(row: HumanTask, actor: Actor) -> None:
    if not is_candidate(row, actor):
        raise Forbidden(_("You are not a candidate for this task."))
    if row.status != "open":
        raise Conflict(_("This task has already been handled."), code="task_closed")
    if row.assignee_id not in (None, actor.id):
        raise Conflict(_("Someone else has taken this task."), code="task_held")


def check_form(info: TaskInfo, form: DecisionForm) -> None:
    if form.decision not in info.decisions:
        raise Invalid(_("This step accepts: %(decisions)s.",
                        decisions=_(", ").join(str(DECISION_LABELS.get(d, d)) for d in info.decisions)),
                      code="invalid_decision", fields={"decision": [_("Choose one of the options.")]})
    if form.decision in info.comment_required and not (form.comment or "").strip():
        raise Invalid(_("Please give a comment for this decision."),
                      code="comment_required", fields={"comment": [_("Required for this decision.")]})


def complete_task(task_id: int, actor: Actor, form: DecisionForm) -> HumanTask:
    row, instance, open_rows = _locked_task(task_id, actor)
    return _complete(row, instance, actor, form, open_rows=open_rows)


def complete_open_task(instance_id: int, specs: tuple[str, ...], actor: Actor, form: DecisionForm,
                       record: Any) -> HumanTask:
    """Complete whichever of ``specs`` is open on the instance (a trainee's submit).

    The task is looked up after the lock, so a concurrent change is seen.
    """
    instance = lock_instance(instance_id)
    open_rows = _open_rows(instance_id)
    row = next((r for r in open_rows if r.task_spec in specs), None)
    if row is None:
        raise Conflict(_("There is nothing to submit in the current status."), code="not_editable")
    _check_actionable(row, actor)
    db.session.refresh(record)
    return _complete(row, instance, actor, form, record, open_rows=open_rows)


def _complete(row: HumanTask, instance: ProcessInstance, actor: Actor, form: DecisionForm,
              record: Any = None, *, open_rows: list[HumanTask] | None = None) -> HumanTask:
    rt = record_type(row.record_type)
    record = record if record is not None else rt.get(row.record_id, refresh=True)
    info = bundle_for(instance.definition_id).task(row.task_spec)
    check_form(info, form)
    data = rt.engine_data(info, form, record, actor)
    loaded = load(instance, record, actor)
    try:
        loaded.complete(row.engine_task_id, data)
    except TaskStateError:  # projection and engine disagree: refuse, change nothing
        raise Conflict(_("The task has changed meanwhile; reload and try again."), code="task_closed") from None
    row.completed_by_id = actor.id
    row.decision = form.decision
    record_event(instance, actor, info.properties.get("action", info.spec),
                 org_id=row.candidate_org_id, task_spec=info.spec, decision=form.decision,
                 comment=form.comment, data=rt.event_data(info, form, record))
    save(instance, loaded, rt, record, completed_task_id=row.engine_task_id, open_rows=open_rows)
    return row


def claim_task(task_id: int, actor: Actor) -> HumanTask:
    row, instance, _open = _locked_task(task_id, actor)
    if row.assignee_id is None:
        row.assignee_id = actor.id
        row.claimed_at = utcnow()
        record_event(instance, actor, "claim", org_id=row.candidate_org_id, task_spec=row.task_spec)
    return row


def unclaim_task(task_id: int, actor: Actor) -> HumanTask:
    row, instance, _open = _locked_task(task_id, actor)
    if row.candidate_role == "trainee":
        raise Conflict(_("A personal task cannot be released."), code="not_claimable")
    if row.assignee_id == actor.id:
        row.assignee_id = None
        row.claimed_at = None
        record_event(instance, actor, "unclaim", org_id=row.candidate_org_id, task_spec=row.task_spec)
    return row


def send_message(instance_id: int, rt: RecordType, record_id: int, actor: Actor, message: str,
                 action: str, comment: str | None = None) -> ProcessInstance:
    """Deliver a BPMN message (withdraw, cancel) to a locked instance."""

    instance = lock_instance(instance_id)
    record = rt.get(record_id, refresh=True)
    loaded = load(instance, record, actor)
    try:
        loaded.send_message(message)
    except EventNotWaiting:
        raise Conflict(_("This cannot be done at the current step."),
                       code="not_waiting") from None
    record_event(instance, actor, action, comment=comment)
    save(instance, loaded, rt, record)
    return instance


def open_task_for(instance_id: int, spec_names: tuple[str, ...] | None = None) -> HumanTask | None:
    query = select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
    if spec_names:
        query = query.where(HumanTask.task_spec.in_(spec_names))
    return db.session.scalars(query.order_by(HumanTask.id)).first()
