"""The reviewer's inbox: what waits for my (role, organisation) pairs, and batch decisions.

Reads only the ``human_task`` projection and its candidates (never a workflow), with the
record summary stored on the row by the record's plug-in. A page of the inbox costs the
same statements whatever the number of processes (one for the page and its capped total,
one for the counts per process).

The tasks are found from ``task_candidate``, one index range per branch of the actor's
match (``candidates.pairs`` and the person), read in task-id order: with one branch (a reviewer on the
pages) a page reads as many rows as it shows, whatever the inbox holds and whether or not the
planner has statistics yet; with several, each branch gives at most the rows up to the page's
end and their union is sorted. Counting reads at most ``COUNT_CAP + 1`` rows per branch.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, false, func, or_, select, union
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from ..clock import utcnow
from ..db import read, savepoint
from ..errors import Forbidden, NotFound, ServiceError
from ..extensions import db
from ..i18n import _, label, translator
from ..models import HumanTask, TaskCandidate, User
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


_holder = aliased(User)
# The inbox reads plain rows (no ORM identity map): these columns are all task_item needs.
ITEM_COLUMNS = (HumanTask.id, HumanTask.instance_id, HumanTask.process_key, HumanTask.name,
                HumanTask.task_spec, HumanTask.status, HumanTask.assignee_id, HumanTask.personal,
                HumanTask.record_type, HumanTask.record_id, HumanTask.summary, HumanTask.subject,
                HumanTask.year, HumanTask.created_at, HumanTask.due_at, HumanTask.completed_at,
                HumanTask.decision, _holder.name.label("assignee_name"))
ASSIGNEE_STATUSES = ("unclaimed", "claimed", "mine")  # open tasks, by who holds them


@dataclass(frozen=True)
class _Shape:
    """What an inbox query looks like, apart from its values (which are bound parameters)."""

    pairs: int  # (role, organisation) branches
    personal: bool  # and the person's own branch
    sort: str
    process: bool
    year: bool
    assignee: str | None  # one of ASSIGNEE_STATUSES


def _order(sort: str, task_id: Any) -> tuple[Any, ...]:
    """The page order, on ``task_id`` (the candidate's column, so an index range serves it)."""
    if sort == "newest":
        return (task_id.desc(),)
    if sort == "due":  # no due date last
        return (HumanTask.due_at.is_(None), HumanTask.due_at, task_id)
    return (task_id,)


@dataclass(frozen=True)
class _Statements:
    page: Any  # a page of rows with the capped count riding along
    count: Any  # the capped count alone
    per_process: Any  # open tasks per process

    @classmethod
    def build(cls, shape: _Shape, search: ColumnElement[bool] | None = None) -> _Statements:
        branches: list[ColumnElement[bool]] = [
            and_(TaskCandidate.org_id == bindparam(f"org_{i}"), TaskCandidate.role == bindparam(f"role_{i}"))
            for i in range(shape.pairs)]
        if shape.personal:
            branches.append(TaskCandidate.user_id == bindparam("actor_id"))
        # on the candidate rows (in their index), then on the task rows
        on_candidate = [TaskCandidate.process_key == bindparam("process")] if shape.process else []
        filters: list[ColumnElement[bool]] = []
        if shape.year:
            filters.append(HumanTask.year == bindparam("year"))
        if shape.assignee == "claimed":
            filters.append(HumanTask.assignee_id.is_not(None))
        elif shape.assignee == "mine":
            filters.append(HumanTask.assignee_id == bindparam("actor_id"))
        elif shape.assignee == "unclaimed":
            filters.append(HumanTask.assignee_id.is_(None))
        if search is not None:
            filters.append(search)

        def branch(condition: ColumnElement[bool], *, ordered: bool = False) -> Any:
            query = select(TaskCandidate.task_id).where(condition, TaskCandidate.status == bindparam("status"),
                                                        *on_candidate)
            if filters or (ordered and shape.sort == "due"):
                query = query.join(HumanTask, HumanTask.id == TaskCandidate.task_id).where(*filters)
            return query.order_by(*_order(shape.sort, TaskCandidate.task_id)) if ordered else query

        def ids(limit: Any = None, *, ordered: bool = False) -> Any:
            """The matching task ids (``task_id``), each branch cut at ``limit``, their union."""
            if len(branches) == 1:
                return branch(branches[0], ordered=ordered).limit(limit).subquery()
            parts = [branch(c, ordered=ordered).limit(limit).subquery() for c in branches]
            return union(*(select(part.c.task_id) for part in parts)).subquery()

        # at most COUNT_CAP + 1 per branch: the caller clamps the union's count
        count = select(func.count()).select_from(ids(bindparam("cap")))
        total = count.scalar_subquery().label("inbox_total")
        if len(branches) == 1:  # the rows straight from the index range, in its order
            page = (select(*ITEM_COLUMNS, total).select_from(TaskCandidate)
                    .join(HumanTask, HumanTask.id == TaskCandidate.task_id)
                    .where(branches[0], TaskCandidate.status == bindparam("status"), *on_candidate, *filters)
                    .order_by(*_order(shape.sort, TaskCandidate.task_id)))
        else:  # each branch up to the page's end, in order; then their union, sorted
            found = ids(bindparam("page_end"), ordered=True)
            page = (select(*ITEM_COLUMNS, total).select_from(found).join(HumanTask, HumanTask.id == found.c.task_id)
                    .order_by(*_order(shape.sort, found.c.task_id)))
        page = (page.outerjoin(_holder, _holder.id == HumanTask.assignee_id)
                .offset(bindparam("offset")).limit(bindparam("limit")))
        # from the candidate index alone (a task found in two branches counts once)
        keyed = [select(TaskCandidate.task_id, TaskCandidate.process_key)
                 .where(c, TaskCandidate.status == bindparam("status")) for c in branches]
        waiting = (keyed[0] if len(keyed) == 1 else union(*keyed)).subquery()
        per_process = select(waiting.c.process_key, func.count()).group_by(waiting.c.process_key)
        return cls(page, count, per_process)


# Built once per shape: an inbox request then costs neither building nor hashing a statement.
_statements = functools.lru_cache(maxsize=512)(_Statements.build)


class _Match:
    """The tasks an actor may act on under a filter: the statements and their values."""

    def __init__(self, actor: Actor, flt: InboxFilter):
        status = flt.status or OPEN
        pairs = candidates.pairs(actor)
        self.empty = not pairs and not flt.personal
        self.shape = _Shape(len(pairs), flt.personal, flt.sort if flt.sort in SORTS else "oldest",
                            bool(flt.process), bool(flt.year), status if status in ASSIGNEE_STATUSES else None)
        self.values: dict[str, Any] = {
            "status": OPEN if status in ASSIGNEE_STATUSES else status, "actor_id": actor.id,
            "process": flt.process, "year": flt.year, "cap": COUNT_CAP + 1,
            "offset": (flt.page - 1) * flt.per_page, "limit": flt.per_page, "page_end": flt.page * flt.per_page}
        for i, (role, org) in enumerate(pairs):
            self.values.update({f"role_{i}": role, f"org_{i}": org})
        if self.empty:  # nothing to ask
            return
        self.statements = _statements(self.shape) if not flt.q else _Statements.build(self.shape, _search(flt.q))

    def execute(self, statement: Any) -> Any:
        return read(statement, self.values)  # plain rows (values a statement does not bind are ignored)


def list_tasks(actor: Actor, flt: InboxFilter) -> tuple[list[Any], int]:
    """A page of the inbox and its size; a size above ``COUNT_CAP`` is reported as ``COUNT_CAP + 1``."""
    found = _Match(actor, flt)
    if found.empty:
        return [], 0
    rows = found.execute(found.statements.page).all()
    if rows:
        return list(rows), min(int(rows[0].inbox_total), COUNT_CAP + 1)
    if flt.page == 1:
        return [], 0
    return [], min(int(found.execute(found.statements.count).scalar() or 0), COUNT_CAP + 1)  # past the last page


def waiting_counts(actor: Actor, *, personal: bool = True) -> dict[str, int]:
    """Open tasks per process, in one statement whatever the number of processes."""
    counts = dict.fromkeys(plugins.registry().process_names(), 0)
    found = _Match(actor, InboxFilter(personal=personal))
    if not found.empty:
        counts.update({key: int(n) for key, n in found.execute(found.statements.per_process)})
    return counts


def get_task(task_id: int, actor: Actor) -> Any:
    row = db.session.execute(select(*ITEM_COLUMNS).outerjoin(_holder, _holder.id == HumanTask.assignee_id)
                             .where(HumanTask.id == task_id)).first()
    if row is None:
        raise NotFound(_("Task not found."))
    if acting_org(task_id, actor) is None:
        raise Forbidden(_("You are not a candidate for this task."))
    return row


def facts(summary: dict[str, Any], translate: Callable[[str], str] | None = None) -> list[dict[str, str]]:
    """The summary's facts in the reader's language."""
    translate = translate or translator()
    return [{"label": translate(str(fact["label"])) if fact.get("label") else "",
             "value": label(fact.get("value"), translate) if fact.get("translate") else str(fact.get("value", ""))}
            for fact in summary.get("facts") or []]


def task_items(rows: list[Any]) -> list[dict[str, Any]]:
    translate = translator()
    return [task_item(row, translate) for row in rows]


def task_item(row: Any, translate: Callable[[str], str] | None = None) -> dict[str, Any]:
    translate = translate or translator()
    summary = row.summary or {}
    due = row.due_at
    return {
        "id": row.id,
        "instance_id": row.instance_id,
        "process": row.process_key,
        "name": row.name,
        "name_label": label(row.name, translate),
        "task": row.task_spec,
        "status": task_status(row),
        "personal": bool(row.personal),
        "record": {"type": row.record_type, "id": row.record_id},
        "subject": row.subject or summary.get("subject") or "",
        "subject_id_number": summary.get("subject_id_number"),
        "title": summary.get("title") or "",
        "facts": facts(summary, translate),
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
    org, values = candidates.acting_org(actor)
    known = {row.id: row for row in db.session.execute(
        select(HumanTask.id, HumanTask.instance_id, HumanTask.record_type, HumanTask.record_id,
               HumanTask.summary, HumanTask.subject, org.label("org"))
        .where(HumanTask.id.in_(unique)), values)}
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
