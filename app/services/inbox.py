"""The reviewer's inbox: what waits for my (role, organisation) pairs, and batch decisions.

Reads only the ``human_task`` projection and its candidates (never a workflow), with the
record summary stored on the row by the record's plug-in. A page of the inbox costs the
same statements whatever the number of processes (one for the page and its capped total,
one for the counts per process).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from ..clock import utcnow
from ..db import savepoint
from ..errors import Forbidden, NotFound, ServiceError
from ..extensions import db
from ..i18n import _, label
from ..models import HumanTask, User
from . import candidates, plugins
from .actors import Actor
from .runner import OPEN, DecisionForm, acting_org, complete_task

# Counting stops here: "1000+" is as useful as 73,412 and costs the same however big the inbox grows.
COUNT_CAP = 1000
MAX_BATCH = 1000
TASK_STATUSES = ("open", "unclaimed", "claimed", "mine", "completed", "cancelled")
SORTS = ("oldest", "newest", "due")
LIKE_ESCAPE = "\\"
SHOWN_PREFIX, SHOWN_SUFFIX = 10, 4  # what a masked ID number shows: 3301061990****0014


@dataclass
class InboxFilter:
    process: str | None = None
    status: str | None = None  # one of TASK_STATUSES (default open)
    year: int | None = None
    q: str = ""  # the subject's name, or their ID number (in full, or the parts a list shows)
    sort: str = "oldest"
    page: int = 1
    per_page: int = 20
    personal: bool = True  # the actor's own steps too (the pages list only reviews)


def task_status(row: Any) -> str:
    if row.status == OPEN:
        return "claimed" if row.assignee_id is not None else "open"
    return row.status


def _escape(text: str) -> str:
    """LIKE's wildcards in ``text`` taken literally."""
    return (text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%")
            .replace("_", LIKE_ESCAPE + "_"))


def id_number_match(column: Any, query: str) -> ColumnElement[bool]:
    """Match the full ID number, or only the parts a list already shows.

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


def _search(query: str) -> ColumnElement[bool]:
    people = select(User.id).where(id_number_match(User.id_number, query))
    return or_(HumanTask.subject.like(f"%{_escape(query)}%", escape=LIKE_ESCAPE),
               HumanTask.subject_user_id.in_(people))


def _conditions(actor: Actor, flt: InboxFilter) -> list[ColumnElement[bool]]:
    status = flt.status or OPEN
    row_status = OPEN if status in ("unclaimed", "claimed", "mine") else status
    conditions = [HumanTask.id.in_(candidates.task_ids(actor, status=row_status, personal=flt.personal)),
                  HumanTask.status == row_status]
    if flt.process:
        conditions.append(HumanTask.process_key == flt.process)
    if flt.year:
        conditions.append(HumanTask.year == flt.year)
    if status == "claimed":
        conditions.append(HumanTask.assignee_id.is_not(None))
    elif status == "mine":
        conditions.append(HumanTask.assignee_id == actor.id)
    elif status == "unclaimed":
        conditions.append(HumanTask.assignee_id.is_(None))
    if flt.q:
        conditions.append(_search(flt.q))
    return conditions


_holder = aliased(User)
# The inbox reads plain rows (no ORM identity map): these columns are all task_item needs.
ITEM_COLUMNS = (HumanTask.id, HumanTask.instance_id, HumanTask.process_key, HumanTask.name,
                HumanTask.task_spec, HumanTask.status, HumanTask.assignee_id, HumanTask.personal,
                HumanTask.record_type, HumanTask.record_id, HumanTask.summary, HumanTask.subject,
                HumanTask.year, HumanTask.created_at, HumanTask.due_at, HumanTask.completed_at,
                HumanTask.decision, _holder.name.label("assignee_name"))
ORDERS = {
    "oldest": (HumanTask.id,),
    "newest": (HumanTask.id.desc(),),
    "due": (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id),  # no due date last
}


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
    rows = db.session.execute(
        select(*ITEM_COLUMNS, total).outerjoin(_holder, _holder.id == HumanTask.assignee_id)
        .where(*conditions).order_by(*ORDERS.get(flt.sort, ORDERS["oldest"]))
        .offset((flt.page - 1) * flt.per_page).limit(flt.per_page)).all()
    if rows:
        return list(rows), int(rows[0].inbox_total)
    if flt.page == 1:
        return [], 0
    return [], capped_count(select(HumanTask.id).where(*conditions))  # past the last page


def waiting_counts(actor: Actor, *, personal: bool = True) -> dict[str, int]:
    """Open tasks per process, in one statement whatever the number of processes."""
    rows = db.session.execute(
        select(HumanTask.process_key, func.count())
        .where(*_conditions(actor, InboxFilter(personal=personal))).group_by(HumanTask.process_key))
    counts = dict.fromkeys(plugins.registry().process_names(), 0)
    counts.update({key: int(n) for key, n in rows})
    return counts


def get_task(task_id: int, actor: Actor) -> Any:
    row = db.session.execute(select(*ITEM_COLUMNS).outerjoin(_holder, _holder.id == HumanTask.assignee_id)
                             .where(HumanTask.id == task_id)).first()
    if row is None:
        raise NotFound(_("Task not found."))
    if acting_org(task_id, actor) is None:
        raise Forbidden(_("You are not a candidate for this task."))
    return row


def facts(summary: dict[str, Any]) -> list[dict[str, str]]:
    """The summary's facts in the reader's language."""
    return [{"label": _(str(fact.get("label") or "")) if fact.get("label") else "",
             "value": label(fact.get("value")) if fact.get("translate") else str(fact.get("value", ""))}
            for fact in summary.get("facts") or []]


def task_item(row: Any) -> dict[str, Any]:
    summary = row.summary or {}
    due = row.due_at
    return {
        "id": row.id,
        "instance_id": row.instance_id,
        "process": row.process_key,
        "name": row.name,
        "name_label": label(row.name),
        "task": row.task_spec,
        "status": task_status(row),
        "personal": bool(row.personal),
        "record": {"type": row.record_type, "id": row.record_id},
        "subject": row.subject or summary.get("subject") or "",
        "subject_id_number": summary.get("subject_id_number"),
        "title": summary.get("title") or "",
        "facts": facts(summary),
        "year": row.year,
        "assignee_id": row.assignee_id,
        "assignee_name": getattr(row, "assignee_name", None),  # (an ORM row has no name column)
        "created_at": row.created_at,
        "due_at": due,
        "overdue": bool(due is not None and row.status == OPEN and due < utcnow()),
        "completed_at": row.completed_at,
        "decision": row.decision,
    }


def complete_batch(task_ids: list[int], actor: Actor, form: DecisionForm) -> list[dict[str, Any]]:
    """Complete many tasks with one decision; each succeeds or fails on its own.

    Each item runs in a savepoint, so a refused item changes nothing while the
    others go through. Instances are locked in ascending id order, the same
    order every batch uses, so two batches cannot deadlock each other. Each result
    names the record (title, subject) of a task the actor may see.
    """
    unique = list(dict.fromkeys(task_ids))
    known = {row.id: row for row in db.session.execute(
        select(HumanTask.id, HumanTask.instance_id, HumanTask.record_type, HumanTask.record_id,
               HumanTask.summary, HumanTask.subject, candidates.acting_org(actor).label("org"))
        .where(HumanTask.id.in_(unique)))}
    order = sorted(unique, key=lambda tid: (known[tid].instance_id if tid in known else 0, tid))
    results: dict[int, dict[str, Any]] = {}
    for task_id in order:
        try:
            with savepoint():
                complete_task(task_id, actor, form)
            result: dict[str, Any] = {"task_id": task_id, "ok": True, "status": 200}
        except ServiceError as exc:
            result = {"task_id": task_id, "ok": False, "status": exc.status,
                      "error": {"code": exc.code, "message": exc.message}}
        row = known.get(task_id)
        if row is not None and row.org is not None:  # a candidate: may see what the task is about
            result.update(record={"type": row.record_type, "id": row.record_id},
                          title=(row.summary or {}).get("title") or "", subject=row.subject or "")
        results[task_id] = result
    return [results[tid] for tid in unique]
