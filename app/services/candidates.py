"""Who may act on which task: SQL over ``task_candidate`` for one actor.

A task's candidates are the holders of a role in an organisation, or one person. An actor
matches through the (role, organisation) pairs they hold, or as that person. On the pages a
person acts in one chosen role at a time, and their own steps are done on the record's pages,
so the pages ask without the personal match (``personal=False``).

An actor's match is a few *branches*: one per (role, organisation) pair that some lane can
name (``pairs``), plus one for the person. Each branch is one range of an index continuing
with ``task_id`` (``ix_task_candidate_org``, ``ix_task_candidate_user``), so a branch yields
its tasks in id order and an inbox page reads only as far as the page: the inbox builds its
queries from the branches, not from the ``OR`` of them (a bitmap over every match, then a sort).
"""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select

from ..extensions import db
from ..models import HumanTask, TaskCandidate
from . import plugins
from .actors import Actor
from .plugins import Candidate


def pairs(actor: Actor) -> list[tuple[str, int]]:
    """The actor's (role, organisation) pairs some lane can name, in a stable order."""
    named = plugins.registry().candidate_roles()
    return [(role, org) for role, org in sorted(actor.roles, key=lambda pair: (pair[0], pair[1] or 0))
            if org is not None and (named is None or role in named)]


@functools.lru_cache(maxsize=64)
def _acting_org(pairs: int) -> Any:
    conditions = [and_(TaskCandidate.org_id == bindparam(f"as_org_{i}"),
                       TaskCandidate.role == bindparam(f"as_role_{i}")) for i in range(pairs)]
    conditions.append(TaskCandidate.user_id == bindparam("as_user"))
    return (select(func.coalesce(TaskCandidate.org_id, 0))
            .where(TaskCandidate.task_id == HumanTask.id, or_(*conditions))
            .order_by(TaskCandidate.id).limit(1).correlate(HumanTask).scalar_subquery())


def acting_org(actor: Actor) -> tuple[Any, dict[str, Any]]:
    """A correlated column: the organisation the actor acts for on ``human_task`` (0: as the person;
    NULL: not a candidate), read with the task row itself so an action costs no extra query; and
    the values it binds. Built once per number of pairs (building it cost more than running it)."""
    found = pairs(actor)
    values: dict[str, Any] = {"as_user": actor.id}
    for i, (role, org) in enumerate(found):
        values.update({f"as_org_{i}": org, f"as_role_{i}": role})
    return _acting_org(len(found)), values


def rows_for(candidates: list[Candidate], process_key: str, status: str = "open") -> list[dict[str, Any]]:
    # once each: a task is listed once per index range it is found in
    return [{"role": c.role, "org_id": c.org_id, "user_id": c.user_id, "status": status, "process_key": process_key}
            for c in dict.fromkeys(candidates)]


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
