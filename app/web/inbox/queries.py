"""Inbox reads the page needs beyond ``services.inbox.list_tasks``.

The same candidate and status conditions as the service (``inbox._conditions``),
plus a search on the trainee's name or ID number, newest-first order and the
name of whoever holds a task. Reads only; every action goes through the services.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import false, or_, select
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import HumanTask, User
from ...services import inbox
from ...services.actors import Actor

LIKE_ESCAPE = "\\"


def _escape(text: str) -> str:
    """LIKE's wildcards in ``text`` taken literally."""
    return (text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%")
            .replace("_", LIKE_ESCAPE + "_"))


def like_pattern(text: str) -> str:
    return f"%{_escape(text)}%"


SHOWN_PREFIX, SHOWN_SUFFIX = 10, 4  # what the masked ID number shows: 3301061990****0014


def id_number_match(column: Any, query: str) -> Any:
    """Match the full ID number, or only the parts the list already shows.

    A ``LIKE %q%`` over the whole number would let a reviewer probe the hidden
    birth month and day one guess at a time.
    """
    q = query.strip().upper()
    if len(q) == 18:
        return column == q
    options = []
    if len(q) <= SHOWN_PREFIX:
        options.append(column.like(_escape(q) + "%", escape=LIKE_ESCAPE))
    if len(q) <= SHOWN_SUFFIX:
        options.append(column.like("%" + _escape(q), escape=LIKE_ESCAPE))
    return or_(*options) if options else false()


def search(actor: Actor, flt: inbox.InboxFilter, query: str = "",
           newest_first: bool = False) -> tuple[list[Any], int]:
    """One page of the actor's review tasks, like ``inbox.list_tasks``, optionally narrowed by trainee."""
    conditions = inbox._conditions(actor, flt)
    conditions.append(HumanTask.candidate_role != "trainee")  # a trainee's own steps have their own pages
    subject = aliased(User)
    holder = aliased(User)
    base = select(HumanTask.id)
    if query:
        base = base.join(subject, subject.id == HumanTask.subject_user_id)
        conditions.append(or_(subject.name.like(like_pattern(query), escape=LIKE_ESCAPE),
                              id_number_match(subject.id_number, query)))
    base = base.where(*conditions)
    total = inbox.capped_count(base)
    order = HumanTask.id.desc() if newest_first else HumanTask.id
    page = base.order_by(order).offset((flt.page - 1) * flt.per_page).limit(flt.per_page).subquery()
    rows = db.session.execute(
        select(*inbox.ITEM_COLUMNS, holder.name.label("assignee_name"))
        .join(page, page.c.id == HumanTask.id)
        .outerjoin(holder, holder.id == HumanTask.assignee_id)
        .order_by(order)).all()
    return list(rows), int(total or 0)


def waiting_counts(actor: Actor, processes: list[str]) -> dict[str, int]:
    """Open tasks per process (one count each), as the list counts them."""
    return {key: search(actor, inbox.InboxFilter(process=key, status="open", per_page=1))[1]
            for key in processes}


def summaries(actor: Actor, task_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The stored summaries of those tasks the actor may see (for a batch's result table)."""
    if not task_ids:
        return {}
    rows = db.session.execute(select(HumanTask.id, HumanTask.summary).where(
        HumanTask.id.in_(task_ids), inbox._candidate_clause(actor))).all()
    return {row.id: row.summary or {} for row in rows}


def user_name(user_id: int | None) -> str | None:
    """Who holds a task (shown to colleagues)."""
    return db.session.scalar(select(User.name).where(User.id == user_id)) if user_id else None
