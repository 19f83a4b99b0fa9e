"""Running instances for process administrators: move them to another version, suspend and
resume them, and find and retry the stuck ones.

Every change locks the instance (``runner.lock_instance``) and re-reads it, as a task completion
does, so a move racing a reviewer's decision on the same instance queues behind it (or it behind
the move) and sees its result. A batch move commits each instance on its own: one instance that
cannot move changes nothing of itself and does not stop the others.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import exists, select, update

from workflows import MigrationRefused, WorkflowError

from ..db import ConflictError, commit, rollback
from ..errors import Conflict, Invalid, NotFound, ServiceError
from ..extensions import db
from ..i18n import _
from ..models import HumanTask, ProcessDefinition, ProcessInstance, TaskCandidate, utcnow
from ..services import plugins, runner
from ..services.actors import Actor
from ..services.audit import record_event
from ..services.engine import bundle_for
from . import versions

SUSPENDED = "suspended"
MAX_BATCH = 1000  # instances per request; the rest wait for the next call (see ``remaining``)


@dataclass
class MoveResult:
    instance_id: int
    ok: bool
    reasons: list[str] = field(default_factory=list)
    moved: bool = False
    changed_steps: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _published(definition_id: int) -> ProcessDefinition:
    row = versions.get(definition_id)
    if not row.published:
        raise Invalid(_("Instances can only move between published versions."), code="not_published")
    return row


def candidates(source: ProcessDefinition, instance_ids: Iterable[int] | None) -> list[int]:
    """The running instances of ``source`` to consider (all, or the ones named)."""
    query = (select(ProcessInstance.id).where(ProcessInstance.definition_id == source.id,
                                              ProcessInstance.completed.is_(False))
             .order_by(ProcessInstance.id))
    if instance_ids is not None:
        query = query.where(ProcessInstance.id.in_(sorted(set(instance_ids))))
    return list(db.session.scalars(query))


def migrate(from_id: int, to_id: int, actor: Actor, *, instance_ids: list[int] | None = None,
            dry_run: bool = True) -> dict[str, Any]:
    """Check (``dry_run``) or move the running instances of one version to another.

    Named instances that are not running on ``from_id`` get a result saying so. A real move
    commits per instance; this function then leaves no transaction open.
    """
    source, target = _published(from_id), _published(to_id)
    if source.process_key != target.process_key:
        raise Invalid(_("Only versions of the same process can be compared."), code="process_mismatch")
    if source.id == target.id:
        raise Invalid(_("Choose another version to move to."), code="same_version")
    ids = candidates(source, instance_ids)
    results: list[MoveResult] = []
    if instance_ids is not None:
        results.extend(MoveResult(i, False, [_("Not a running instance of version %(version)s.",
                                                 version=source.version)])
                       for i in sorted(set(instance_ids) - set(ids)))
    batch, remaining = ids[:MAX_BATCH], max(0, len(ids) - MAX_BATCH)
    bundle = bundle_for(target.id)
    for instance_id in batch:
        results.append(check_move(instance_id, source, target, bundle) if dry_run
                       else _move_committed(instance_id, source, target, actor))
    results.sort(key=lambda r: r.instance_id)
    return {"from": source.id, "to": target.id, "from_version": source.version, "to_version": target.version,
            "dry_run": dry_run, "results": [r.as_dict() for r in results], "remaining": remaining,
            "movable": sum(r.ok for r in results), "moved": sum(r.moved for r in results)}


def check_move(instance_id: int, source: ProcessDefinition, target: ProcessDefinition,
               bundle: Any) -> MoveResult:
    instance = db.session.get(ProcessInstance, instance_id)
    reasons = _refusals(instance, source)
    if reasons:
        return MoveResult(instance_id, False, reasons)
    plugin = plugins.for_type(instance.record_type)
    loaded = runner.load(instance, plugin.get(instance.record_id), None, plugin)
    problems = loaded.migration_problems(bundle)
    return MoveResult(instance_id, not problems, problems)


def _refusals(instance: ProcessInstance | None, source: ProcessDefinition) -> list[str]:
    if instance is None:
        return [_("Process instance not found.")]
    if instance.completed:
        return [_("The instance has finished.")]
    if instance.definition_id != source.id:
        return [_("Not a running instance of version %(version)s.", version=source.version)]
    return []


def _move_committed(instance_id: int, source: ProcessDefinition, target: ProcessDefinition,
                    actor: Actor) -> MoveResult:
    try:
        result = move(instance_id, source, target, actor)
        commit()
        return result
    except (ServiceError, MigrationRefused, WorkflowError, ConflictError) as exc:
        rollback()
        reasons = list(exc.problems) if isinstance(exc, MigrationRefused) else [getattr(exc, "message", str(exc))]
        return MoveResult(instance_id, False, reasons)


def move(instance_id: int, source: ProcessDefinition, target: ProcessDefinition, actor: Actor) -> MoveResult:
    """Move one instance (inside the caller's transaction); raise if it cannot move."""
    instance = runner.lock_instance(instance_id)
    reasons = _refusals(instance, source)
    if reasons:
        raise Conflict(reasons[0], code="not_movable")
    plugin = plugins.for_type(instance.record_type)
    record = plugin.get(instance.record_id, refresh=True)
    rows = _rows(instance.id, ("open", SUSPENDED))
    old_bundle, new_bundle = bundle_for(source.id), bundle_for(target.id)
    loaded = runner.load(instance, record, actor, plugin)
    changed = loaded.migrate(new_bundle)
    kept = []
    for row in rows:  # a step whose lane, name or deadline changed gets a new task row
        if row.task_spec in new_bundle.tasks and _same_step(old_bundle.task(row.task_spec),
                                                            new_bundle.task(row.task_spec)):
            row.status = "open"
            kept.append(row)
        else:
            _close(row, "cancelled")
    instance.definition_id = target.id
    record_event(instance, actor, "migrate", data={
        "from": source.id, "to": target.id, "from_version": source.version, "to_version": target.version,
        "changed_steps": changed, **_change({"definition": source.id, "version": source.version},
                                            {"definition": target.id, "version": target.version})})
    db.session.execute(update(TaskCandidate).where(TaskCandidate.task_id.in_([r.id for r in kept]))
                       .values(status="open"))
    runner.save(instance, loaded, plugin, record, open_rows=kept)
    if instance.suspended:
        _set_status(instance.id, "open", SUSPENDED)
    return MoveResult(instance_id, True, [], True, changed)


def _change(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The values before and after, as an administrative event keeps them (``old``, ``new`` in its
    data): the audit search and export show them in their own columns."""
    return {"old": old, "new": new}


def _same_step(old: Any, new: Any) -> bool:
    return (old.lane, old.name, old.kind, old.due) == (new.lane, new.name, new.kind, new.due)


def _rows(instance_id: int, statuses: tuple[str, ...]) -> list[HumanTask]:
    return list(db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                           HumanTask.status.in_(statuses))
                                   .order_by(HumanTask.id).execution_options(populate_existing=True)))


def _close(row: HumanTask, status: str) -> None:
    row.status = status
    row.completed_at = utcnow()
    db.session.execute(update(TaskCandidate).where(TaskCandidate.task_id == row.id).values(status=status))


def _set_status(instance_id: int, old: str, new: str) -> int:
    """Move the instance's task rows (and their candidates) from one status to another."""
    ids = [row.id for row in _rows(instance_id, (old,))]
    if ids:
        db.session.execute(update(HumanTask).where(HumanTask.id.in_(ids)).values(status=new)
                           .execution_options(synchronize_session=False))
        db.session.execute(update(TaskCandidate).where(TaskCandidate.task_id.in_(ids)).values(status=new))
    return len(ids)


# -- suspend and resume ----------------------------------------------------------------------

def suspend(instance_id: int, actor: Actor, comment: str | None = None) -> ProcessInstance:
    """Take the instance's tasks out of every inbox; its timers wait until it is resumed."""
    instance = runner.lock_instance(instance_id)
    if instance.completed:
        raise Conflict(_("The instance has finished."), code="finished")
    if instance.suspended:
        raise Conflict(_("The instance is already suspended."), code="suspended")
    instance.suspended = True
    tasks = _set_status(instance.id, "open", SUSPENDED)
    record_event(instance, actor, "suspend", comment=comment,
                 data={"tasks": tasks, **_change({"suspended": False}, {"suspended": True})})
    return instance


def resume(instance_id: int, actor: Actor, comment: str | None = None) -> ProcessInstance:
    instance = runner.lock_instance(instance_id)
    if not instance.suspended:
        raise Conflict(_("The instance is not suspended."), code="not_suspended")
    instance.suspended = False
    tasks = _set_status(instance.id, SUSPENDED, "open")
    record_event(instance, actor, "resume", comment=comment,
                 data={"tasks": tasks, **_change({"suspended": True}, {"suspended": False})})
    return instance


# -- stuck instances ---------------------------------------------------------------------------

def stuck(limit: int = 200) -> list[dict[str, Any]]:
    """Running instances that need a hand: an engine error, or nothing open, no timer and no message
    awaited (nothing would ever move them). Suspended ones are listed apart (they wait on purpose)."""
    waiting_task = exists().where(HumanTask.instance_id == ProcessInstance.id,
                                  HumanTask.status.in_(("open", SUSPENDED)))
    query = (select(ProcessInstance).where(ProcessInstance.completed.is_(False),
                                           ProcessInstance.suspended.is_(False),
                                           (ProcessInstance.error.is_not(None))
                                           | (~waiting_task & ProcessInstance.next_timer_due.is_(None)))
             .order_by(ProcessInstance.id).limit(limit))
    found = []
    for instance in db.session.scalars(query):
        if instance.error is None and runner.listening(instance):
            continue  # waits for a message (a withdrawal, a class's end…): not stuck
        found.append({"id": instance.id, "process_key": instance.process_key, "status": instance.status,
                      "status_label": instance.status_label, "error": instance.error,
                      "updated_at": instance.updated_at, "definition_id": instance.definition_id})
    return found


def suspended(limit: int = 200) -> list[ProcessInstance]:
    return list(db.session.scalars(select(ProcessInstance).where(ProcessInstance.suspended.is_(True))
                                   .order_by(ProcessInstance.id).limit(limit)))


def retry(instance_id: int, actor: Actor) -> ProcessInstance:
    """Run the instance's engine steps again (after the cause of its error was fixed)."""
    instance = runner.lock_instance(instance_id)
    if instance.completed:
        raise Conflict(_("The instance has finished."), code="finished")
    if instance.suspended:
        raise Conflict(_("Resume the instance first."), code="suspended")
    plugin = plugins.for_type(instance.record_type)
    record = plugin.get(instance.record_id, refresh=True)
    loaded = runner.load(instance, record, actor, plugin)
    try:
        loaded.run_engine()
    except WorkflowError as exc:
        raise Conflict(_("The instance failed again: %(error)s", error=str(exc)), code="retry_failed") from None
    record_event(instance, actor, "retry", data={"error": instance.error})
    instance.error = None
    runner.save(instance, loaded, plugin, record)
    return instance


def get_instance(instance_id: int) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(_("Process instance not found."))
    return instance
