"""The audit search: every event of the log (instances' and the administrative chain's), filtered by
person, action, process, record, organisation and time, newest first, in keyset pages.

Pages are ordered by (``at``, ``id``) descending and continue from a token naming the last row
shown (never OFFSET). Each filter has an index ending in (``at``, ``id``) (see ``ProcessEvent``),
so a filtered page — with or without a time range, however deep — is one index range read.
Ordering by ``id`` alone would make a time range a scan: the time of an event is not its id's order.

Dates are days of the platform's time zone (``BABEL_DEFAULT_TIMEZONE``, Asia/Shanghai), as every
page shows them: "to 2026-11-30" includes that whole local day.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import marshmallow as ma
from marshmallow import fields, validates_schema
from sqlalchemy import or_, select

from ..clock import timezone
from ..converters import INT32_MAX
from ..errors import Invalid
from ..extensions import db
from ..i18n import _, _l
from ..models import Organisation, ProcessEvent, User
from ..validation import StrictSchema, Text, between, length, pattern

E = ProcessEvent
# The table's columns (not the mapped attributes): rows come back as plain Core rows, no ORM loading.
COLUMNS = tuple(ProcessEvent.__table__.c[name] for name in (
    "id", "instance_id", "process_key", "record_type", "record_id", "at", "actor_id", "actor_name", "actor_org_id",
    "actor_org_name", "action", "task_spec", "decision", "comment", "data", "prev_hash", "hash"))
PAGE_SIZE = 50
MAX_LIMIT = 200
MAX_MATCHES = 50  # people or organisations a name may match
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
TOKEN = re.compile(r"^(\d{1,16})_(\d{1,10})$")
FILTER_KEYS = ("actor_id", "actor", "action", "process_key", "record_type", "record_id", "org_id", "org",
               "date_from", "date_to")


def _code(size: int) -> ma.validate.Validator:
    return pattern(rf"^[a-z][a-z0-9_]{{0,{size - 1}}}$", _l("Lower-case letters, digits and _ only."))


class FilterSchema(StrictSchema):
    """The search's filters (query parameters of the API and of the page); all optional, combined."""

    actor_id = fields.Integer(validate=between(1, INT32_MAX), metadata={"description": "the person who acted"})
    actor = Text(validate=length(1, 60), metadata={
        "description": "part of the name or username of the person who acted (at most 50 may match)"})
    action = Text(validate=_code(40), metadata={"description": "the event's action, e.g. submit"})
    process_key = Text(validate=_code(60), metadata={"description": "the process, e.g. credit_claim"})
    record_type = Text(validate=_code(30), metadata={"description": "with record_id: the record, e.g. claim"})
    record_id = fields.Integer(validate=between(1, INT32_MAX), metadata={"description": "with record_type"})
    org_id = fields.Integer(validate=between(1, INT32_MAX), metadata={"description": "the organisation acted for"})
    org = Text(validate=length(1, 60), metadata={"description": "part of the organisation's name"})
    date_from = fields.Date(metadata={"description": "from this day (Asia/Shanghai), inclusive"})
    date_to = fields.Date(metadata={"description": "to this day (Asia/Shanghai), inclusive"})

    @validates_schema
    def _together(self, data: dict[str, Any], **_kwargs: Any) -> None:
        for name in ("date_from", "date_to"):
            if name in data and not FIRST_DAY <= data[name] <= LAST_DAY:
                raise ma.ValidationError(_("Between %(first)s and %(last)s.", first=FIRST_DAY.isoformat(),
                                           last=LAST_DAY.isoformat()), name)
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ma.ValidationError(_("The end date is before the start date."), "date_to")
        if ("record_type" in data) != ("record_id" in data):
            missing = "record_id" if "record_type" in data else "record_type"
            raise ma.ValidationError(_("A record is named by its kind and its number together."), missing)


def parse_token(value: str) -> tuple[datetime, int]:
    match = TOKEN.match(value)
    micros, event_id = (int(match.group(1)), int(match.group(2))) if match else (-1, 0)
    if not (0 <= micros <= _micros(datetime.combine(LAST_DAY, time.max, UTC)) and 1 <= event_id <= INT32_MAX):
        raise ma.ValidationError(_("Not a valid page token."))
    return EPOCH + timedelta(microseconds=micros), event_id


class PageToken(fields.String):
    """A keyset token (``<microseconds since 1970>_<event id>``) of a row already shown."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> tuple[datetime, int]:
        return parse_token(super()._deserialize(value, attr, data, **kwargs))


class PageSchema(FilterSchema):
    limit = fields.Integer(load_default=PAGE_SIZE, validate=between(1, MAX_LIMIT))
    after = PageToken(metadata={
        "description": "the ``next`` token of the page before: the rows after it", "pattern": TOKEN.pattern})


def _micros(value: datetime) -> int:
    return (value - EPOCH) // timedelta(microseconds=1)


def token(at: datetime, event_id: int) -> str:
    return f"{_micros(at)}_{event_id}"


def day_start(day: date) -> datetime:
    """Midnight of a local day, in UTC."""
    return datetime.combine(day, time.min, tzinfo=timezone()).astimezone(UTC)


@dataclass(frozen=True)
class Filters:
    """Resolved filters: ``actor_ids``/``org_ids`` None means anyone, () no one matched."""

    actor_ids: tuple[int, ...] | None = None
    action: str | None = None
    process_key: str | None = None
    record_type: str | None = None
    record_id: int | None = None
    org_ids: tuple[int, ...] | None = None
    start: datetime | None = None  # UTC, inclusive
    end: datetime | None = None  # UTC, exclusive
    people: tuple[tuple[int, str, str], ...] = field(default=(), compare=False)  # who ``actor`` matched

    @property
    def matches_nothing(self) -> bool:
        return self.actor_ids == () or self.org_ids == ()

    def conditions(self) -> list[Any]:
        found: list[Any] = []
        for column, ids in ((E.actor_id, self.actor_ids), (E.actor_org_id, self.org_ids)):
            if ids:
                found.append(column == ids[0] if len(ids) == 1 else column.in_(ids))
        for column, value in ((E.action, self.action), (E.process_key, self.process_key),
                              (E.record_type, self.record_type), (E.record_id, self.record_id)):
            if value is not None:
                found.append(column == value)
        if self.start is not None:
            found.append(E.at >= self.start)
        if self.end is not None:
            found.append(E.at < self.end)
        return found


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _matching(query: Any, name: str, message: str) -> list[Any]:
    rows = db.session.execute(query.limit(MAX_MATCHES + 1)).all()
    if len(rows) > MAX_MATCHES:
        raise Invalid(message, fields={name: [message]})
    return rows


def _narrow(ids: list[int], given: int | None) -> tuple[int, ...]:
    return tuple(i for i in ids if given is None or i == given)


def resolve(args: dict[str, Any]) -> Filters:
    """Filters from validated arguments: names looked up (``Invalid`` if too many match), days to UTC."""
    actor_ids = (args["actor_id"],) if "actor_id" in args else None
    people: list[Any] = []
    if args.get("actor"):
        like = _like(args["actor"])
        people = _matching(select(User.id, User.name, User.username)
                           .where(or_(User.name.ilike(like, escape="\\"), User.username.ilike(like, escape="\\")))
                           .order_by(User.id), "actor",
                           _("More than %(n)s people match; be more specific.", n=MAX_MATCHES))
        actor_ids = _narrow([p.id for p in people], args.get("actor_id"))
    org_ids = (args["org_id"],) if "org_id" in args else None
    if args.get("org"):
        orgs = _matching(select(Organisation.id).where(Organisation.name.ilike(_like(args["org"]), escape="\\"))
                         .order_by(Organisation.id), "org",
                         _("More than %(n)s organisations match; be more specific.", n=MAX_MATCHES))
        org_ids = _narrow([o.id for o in orgs], args.get("org_id"))
    return Filters(actor_ids=actor_ids, action=args.get("action"), process_key=args.get("process_key"),
                   record_type=args.get("record_type"), record_id=args.get("record_id"), org_ids=org_ids,
                   start=day_start(args["date_from"]) if args.get("date_from") else None,
                   end=day_start(args["date_to"] + timedelta(days=1)) if args.get("date_to") else None,
                   people=tuple((p.id, p.name, p.username) for p in people))


def query(filters: Filters) -> Any:
    return select(*COLUMNS).where(*filters.conditions())


def after(statement: Any, at: datetime, event_id: int) -> Any:
    """Rows older than (at, id), newest first. ``at <= t`` bounds the index range; the OR is a filter."""
    return (statement.where(E.at <= at, or_(E.at < at, E.id < event_id))
            .order_by(E.at.desc(), E.id.desc()))


def before(statement: Any, at: datetime, event_id: int) -> Any:
    """Rows newer than (at, id), oldest first (a previous page, read backwards)."""
    return statement.where(E.at >= at, or_(E.at > at, E.id > event_id)).order_by(E.at.asc(), E.id.asc())


def newest(statement: Any) -> Any:
    return statement.order_by(E.at.desc(), E.id.desc())


def _rows(statement: Any) -> list[Any]:
    """Plain Core rows, on the session's connection (no ORM result processing: an export reads millions)."""
    return list(db.session.connection().execute(statement).all())


@dataclass
class Page:
    rows: Sequence[Any]
    next: str | None = None  # token of the last row, when older rows exist
    previous: str | None = None  # token of the first row, when newer rows exist


def page(filters: Filters, limit: int = PAGE_SIZE, *, after_token: tuple[datetime, int] | None = None,
         before_token: tuple[datetime, int] | None = None) -> Page:
    if filters.matches_nothing:
        return Page([])
    statement = query(filters)
    if before_token is not None:
        rows = _rows(before(statement, *before_token).limit(limit + 1))
        newer = len(rows) > limit
        rows = rows[:limit][::-1]
        return Page(rows, next=token(rows[-1].at, rows[-1].id) if rows else None,
                    previous=token(rows[0].at, rows[0].id) if rows and newer else None)
    ordered = after(statement, *after_token) if after_token is not None else newest(statement)
    rows = _rows(ordered.limit(limit + 1))
    older = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, next=token(rows[-1].at, rows[-1].id) if older else None,
                previous=token(rows[0].at, rows[0].id) if rows and after_token is not None else None)


def batches(filters: Filters, size: int = 1000, columns: Sequence[Any] = COLUMNS) -> Iterator[Sequence[Any]]:
    """Every matching row, newest first, ``size`` at a time (each batch one keyset query)."""
    if filters.matches_nothing:
        return
    statement = select(*columns).where(*filters.conditions())
    ordered = newest(statement)
    while True:
        rows = _rows(ordered.limit(size))
        if rows:
            yield rows
        if len(rows) < size:
            return
        ordered = after(statement, rows[-1].at, rows[-1].id)


def explain(statement: Any) -> str:
    """The database's plan for a search statement, in one line (for the tests and the benchmark):
    SQLite's ``EXPLAIN QUERY PLAN`` details, or PostgreSQL's plan nodes with their indexes."""
    compiled = statement.compile(dialect=db.engine.dialect)
    connection = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params).all()
        return " | ".join(str(row[-1]) for row in rows)
    plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params).scalar()
    nodes: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        nodes.append(f"{node['Node Type']}" + (f" using {node['Index Name']}" if "Index Name" in node else ""))
        for child in node.get("Plans", ()):
            walk(child)

    walk((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])
    return " > ".join(nodes)
