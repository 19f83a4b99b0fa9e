"""The reviewer's inbox: what waits for my (role, organisation) pairs.

Reads only the ``human_task`` projection (never a workflow), with the record
summary stored on the row when the task became ready.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ..db import savepoint
from ..errors import Forbidden, NotFound, ServiceError
from ..extensions import db
from ..i18n import _
from ..models import HumanTask
from .actors import Actor
from .processes import complete_task, is_candidate

OPEN = "open"
# Counting stops here: "1000+" is as useful as 73,412 and costs the same however big the inbox grows.
COUNT_CAP = 1000


@dataclass
class InboxFilter:
    process: str | None = None
    status: str | None = None  # open | claimed | mine | completed | cancelled
    year: int | None = None
    page: int = 1
    per_page: int = 20


def _candidate_clause(actor: Actor) -> ColumnElement[bool]:
    pairs = [and_(HumanTask.candidate_role == role, HumanTask.candidate_org_id == org)
             for role, org in sorted(actor.roles, key=lambda p: (p[0], p[1] or 0))
             if org is not None and role != "trainee"]
    if actor.acts_as_trainee:
        # a trainee's own steps (prepare, revise) are theirs; not when acting as a reviewer
        pairs.append(and_(HumanTask.candidate_role == "trainee", HumanTask.assignee_id == actor.id))
    return or_(*pairs) if pairs else false()


def task_status(row: Any) -> str:
    if row.status == OPEN:
        return "claimed" if row.assignee_id is not None and row.candidate_role != "trainee" else "open"
    return row.status


# The inbox reads plain rows (no ORM identity map): these columns are all task_item needs.
ITEM_COLUMNS = (HumanTask.id, HumanTask.process_key, HumanTask.name, HumanTask.task_spec,
                HumanTask.status, HumanTask.assignee_id, HumanTask.candidate_role,
                HumanTask.record_type, HumanTask.record_id, HumanTask.summary, HumanTask.year,
                HumanTask.created_at, HumanTask.completed_at, HumanTask.decision)


def _conditions(actor: Actor, flt: InboxFilter) -> list[ColumnElement[bool]]:
    conditions = [_candidate_clause(actor)]
    if flt.process:
        conditions.append(HumanTask.process_key == flt.process)
    if flt.year:
        conditions.append(HumanTask.year == flt.year)
    status = flt.status or OPEN
    if status == "claimed":
        conditions += [HumanTask.status == OPEN, HumanTask.assignee_id.is_not(None),
                       HumanTask.candidate_role != "trainee"]
    elif status == "mine":
        conditions += [HumanTask.status == OPEN, HumanTask.assignee_id == actor.id]
    elif status == "unclaimed":
        conditions += [HumanTask.status == OPEN, HumanTask.assignee_id.is_(None)]
    else:
        conditions.append(HumanTask.status == status)
    return conditions


def _capped_count_select(query: Any) -> Any:
    return select(func.count()).select_from(query.limit(COUNT_CAP + 1).correlate(None).subquery()).correlate(None)


def capped_count(query: Any) -> int:
    """Rows of ``query`` (a select of ids), counted up to ``COUNT_CAP + 1``."""
    return int(db.session.scalar(_capped_count_select(query)) or 0)


def list_tasks(actor: Actor, flt: InboxFilter) -> tuple[list[Any], int]:
    """A page of the inbox and its size; a size above ``COUNT_CAP`` is reported as ``COUNT_CAP + 1``.

    The capped count rides along the page as a scalar subquery: one round trip, not two (on
    PostgreSQL the round trip, not the counting, was a fifth of an inbox request).
    """
    conditions = _conditions(actor, flt)
    total = _capped_count_select(select(HumanTask.id).where(*conditions)).scalar_subquery().label("inbox_total")
    rows = db.session.execute(select(*ITEM_COLUMNS, total).where(*conditions).order_by(HumanTask.id)
                              .offset((flt.page - 1) * flt.per_page).limit(flt.per_page)).all()
    if rows:
        return list(rows), int(rows[0].inbox_total)
    if flt.page == 1:
        return [], 0
    return [], capped_count(select(HumanTask.id).where(*conditions))  # past the last page


def get_task(task_id: int, actor: Actor) -> HumanTask:
    row = db.session.get(HumanTask, task_id)
    if row is None:
        raise NotFound(_("Task not found."))
    if not is_candidate(row, actor):
        raise Forbidden(_("You are not a candidate for this task."))
    return row


def task_item(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "process": row.process_key,
        "name": row.name,
        "task": row.task_spec,
        "status": task_status(row),
        "record": {"type": row.record_type, "id": row.record_id},
        "summary": row.summary,
        "year": row.year,
        "assignee_id": row.assignee_id,
        "created_at": row.created_at,
        "completed_at": row.completed_at,
        "decision": row.decision,
    }


MAX_BATCH = 1000


def complete_batch(task_ids: list[int], actor: Actor, form: Any) -> list[dict[str, Any]]:
    """Complete many tasks with one decision; each succeeds or fails on its own.

    Each item runs in a savepoint, so a refused item changes nothing while the
    others go through. Instances are locked in ascending id order, the same
    order every batch uses, so two batches cannot deadlock each other.
    """
    unique = list(dict.fromkeys(task_ids))
    instance_of = dict(db.session.execute(
        select(HumanTask.id, HumanTask.instance_id).where(HumanTask.id.in_(unique))).all())
    order = sorted(unique, key=lambda tid: (instance_of.get(tid, 0), tid))
    results: dict[int, dict[str, Any]] = {}
    for task_id in order:
        try:
            with savepoint():
                complete_task(task_id, actor, form)
            results[task_id] = {"task_id": task_id, "ok": True, "status": 200}
        except ServiceError as exc:
            results[task_id] = {"task_id": task_id, "ok": False, "status": exc.status,
                                "error": {"code": exc.code, "message": exc.message}}
    return [results[tid] for tid in unique]
