"""Who may act on which task: SQL over ``task_candidate`` for one actor.

A task's candidates are the holders of a role in an organisation, or one person. An actor
matches through the (role, organisation) pairs they hold, or as that person. On the pages a
person acts in one chosen role at a time, and their own steps are done on the record's pages,
so the pages ask without the personal match (``personal=False``).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..models import HumanTask, TaskCandidate
from .actors import Actor
from .plugins import Candidate


def match(actor: Actor, *, personal: bool = True) -> ColumnElement[bool]:
    """``task_candidate`` rows this actor answers to."""
    conditions: list[ColumnElement[bool]] = [
        and_(TaskCandidate.role == role, TaskCandidate.org_id == org)
        for role, org in sorted(actor.roles, key=lambda pair: (pair[0], pair[1] or 0)) if org is not None]
    if personal:
        conditions.append(TaskCandidate.user_id == actor.id)
    return or_(*conditions) if conditions else false()


def task_ids(actor: Actor, *, status: str | None = None, personal: bool = True) -> Any:
    """A select of the ids of the tasks the actor may act on (in ``status``, if given)."""
    query = select(TaskCandidate.task_id).where(match(actor, personal=personal))
    return query.where(TaskCandidate.status == status) if status else query


def acting_org(actor: Actor) -> Any:
    """A correlated column: the organisation the actor acts for on ``human_task`` (0: as the person;
    NULL: not a candidate). Read with the task row itself, so an action costs no extra query."""
    return (select(func.coalesce(TaskCandidate.org_id, 0))
            .where(TaskCandidate.task_id == HumanTask.id, match(actor))
            .order_by(TaskCandidate.id).limit(1).correlate(HumanTask).scalar_subquery())


def rows_for(candidates: list[Candidate], status: str = "open") -> list[TaskCandidate]:
    return [TaskCandidate(role=c.role, org_id=c.org_id, user_id=c.user_id, status=status) for c in candidates]


def of_tasks(task_ids: list[int]) -> dict[int, list[Candidate]]:
    """The candidates of these tasks (one query)."""
    found: dict[int, list[Candidate]] = {tid: [] for tid in task_ids}
    if task_ids:
        rows = db.session.execute(select(TaskCandidate.task_id, TaskCandidate.role, TaskCandidate.org_id,
                                         TaskCandidate.user_id)
                                  .where(TaskCandidate.task_id.in_(task_ids)).order_by(TaskCandidate.id))
        for row in rows:
            found[row.task_id].append(Candidate(row.role, row.org_id, row.user_id))
    return found
