"""Saving an instance after the engine ran: its state and status, its ``human_task`` rows (with each
task's candidates) and their closing, in prebuilt plain statements (``db.execute``).

Part of the runner (``runner.save`` is this ``save``); the ORM's unit of work cost about 400 Python
calls per object written, and every change to every instance ends here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, update

from workflows import LoadedInstance, ReadyTask, Snapshot, due_at

from ..db import execute, saved
from ..errors import Conflict
from ..i18n import _, label
from ..models import HumanTask, ProcessInstance, TaskCandidate, utcnow
from . import candidates
from .plugins import ProcessPlugin
from .task_rows import OPEN
from .task_rows import open_rows as _open_rows

COMPLETED, CANCELLED = "completed", "cancelled"


def save(instance: ProcessInstance, loaded: LoadedInstance, plugin: ProcessPlugin, record: Any,
         completed: Completion | None = None, *, fresh: bool = False,
         open_rows: list[HumanTask] | None = None) -> Snapshot:
    """Persist the engine state and everything derived from it.

    ``completed``: the task just completed and by whom; ``fresh``: the instance was just created,
    so it has no task rows yet; ``open_rows``: its open task rows, when the caller already read
    them under the lock.

    The instance and its task rows are written by prebuilt plain statements (``db.execute``),
    not the ORM's unit of work (about 400 Python calls per object), and marked saved on the ORM
    objects the request holds. The record is the plug-in's and is flushed by the ORM.
    """
    snapshot = loaded.snapshot()
    now = utcnow()
    values = {"state": snapshot.state, "status": snapshot.status, "status_label": snapshot.status_label,
              "completed": snapshot.completed, "next_timer_due": snapshot.next_timer_due, "updated_at": now,
              "ended_at": now if snapshot.completed and instance.ended_at is None else instance.ended_at,
              "last_event_hash": instance.last_event_hash}
    execute(_SAVE_INSTANCE, {"instance_id": instance.id, **values})
    saved(instance, values)
    plugin.on_saved(record, snapshot)
    if fresh:
        open_rows = []
    elif open_rows is None:
        open_rows = [row for row, _org in _open_rows(instance.id)]
    _sync_tasks(instance, snapshot.ready, plugin, record, completed, now, open_rows)
    return snapshot


@dataclass(frozen=True)
class Completion:
    """The step a save follows: its engine task, who completed it and the decision taken."""

    engine_task_id: str
    by_id: int
    decision: str


# Built once: the statements of every save. Given a column's name a value sets that column; the
# others (``instance_id``, ``task_id``, ``ids``, ``new_status``) only bind.
_SAVE_INSTANCE = (update(ProcessInstance.__table__)
                  .where(ProcessInstance.__table__.c.id == bindparam("instance_id")))
_tasks = HumanTask.__table__
_CLOSE_TASKS = update(_tasks).where(_tasks.c.id == bindparam("task_id"))
_INSERT_TASKS = insert(_tasks).returning(_tasks.c.id, sort_by_parameter_order=True)
# The candidates of closed tasks follow their status.
_candidates = TaskCandidate.__table__
_CLOSE_CANDIDATES = (update(_candidates).where(_candidates.c.task_id.in_(bindparam("ids", expanding=True)))
                     .values(status=bindparam("new_status")))
# One task closing (nearly every save): an equality, not an IN list expanded again at each run.
_CLOSE_CANDIDATES_OF_ONE = (update(_candidates).where(_candidates.c.task_id == bindparam("closed_task_id"))
                            .values(status=bindparam("new_status")))


def _sync_tasks(instance: ProcessInstance, ready: list[ReadyTask], plugin: ProcessPlugin, record: Any,
                completed: Completion | None, now: Any, open_rows: list[HumanTask]) -> None:
    ready_ids = {task.id for task in ready}
    closing = [row for row in open_rows if row.engine_task_id not in ready_ids]
    known = {row.engine_task_id for row in open_rows}
    fresh = [task for task in ready if task.id not in known]
    if not fresh and not closing:
        return
    summary = plugin.summary(record)
    stored = summary.as_json()
    if closing:
        _close(closing, completed, stored, now)
    added: list[tuple[dict[str, Any], list[Any]]] = []
    for task in fresh:
        lane = plugin.lanes.get(task.lane or "")
        if lane is None:  # refused at deploy; only a version deployed before its plug-in changed
            raise Conflict(_("The step “%(step)s” is in a lane this process does not know.",
                             step=label(task.info.name)), code="unknown_lane")
        found = lane.resolve(record)
        if not found:
            raise Conflict(_("Nobody can act on the step “%(step)s”: who should do it is not set up.",
                             step=label(task.info.name)), code="no_candidate")
        added.append(({
            "instance_id": instance.id, "engine_task_id": task.id, "process_key": instance.process_key,
            "task_spec": task.spec, "name": task.info.name, "lane": task.lane, "personal": lane.personal,
            "subject_user_id": plugin.subject_user_id(record), "subject": summary.subject[:120],
            "record_type": plugin.record_type, "record_id": record.id, "year": plugin.year(record),
            "summary": stored, "created_at": now, "status": OPEN,
            "due_at": due_at(task.info.due, now) if task.info.due else None}, found))
    if added:  # the task rows and then their candidates, each one plain INSERT
        ids = execute(_INSERT_TASKS, [values for values, _found in added]).scalars().all()
        execute(insert(_candidates), [
            {**values, "task_id": task_id} for task_id, (_row, found) in zip(ids, added, strict=True)
            for values in candidates.rows_for(found, instance.process_key)])


def _close(rows: list[HumanTask], completed: Completion | None, stored: dict[str, Any], now: Any) -> None:
    """Close the task rows that are no longer ready: the one just completed, the others cancelled;
    each keeps the record's summary (what was decided shows in "handled", e.g. the reviewed hours)."""
    changes: dict[str, list[HumanTask]] = {}
    updates: list[tuple[HumanTask, dict[str, Any]]] = []
    for row in rows:
        done = completed is not None and row.engine_task_id == completed.engine_task_id
        values = {"status": COMPLETED if done else CANCELLED, "completed_at": now, "summary": stored,
                  "completed_by_id": completed.by_id if done else row.completed_by_id,
                  "decision": completed.decision if done else row.decision}
        updates.append((row, values))
        changes.setdefault(values["status"], []).append(row)
    execute(_CLOSE_TASKS, [{"task_id": row.id, **values} for row, values in updates])
    for status, closed in changes.items():
        if len(closed) == 1:
            execute(_CLOSE_CANDIDATES_OF_ONE, {"closed_task_id": closed[0].id, "new_status": status})
        else:
            execute(_CLOSE_CANDIDATES, {"ids": [row.id for row in closed], "new_status": status})
    for row, values in updates:
        saved(row, values)
