"""The hours ledger (credits and their reversals) and the yearly policy it is measured against."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..i18n import _
from ..models import HourEntry, User

ZERO = Decimal("0.0")
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Policy:
    total: Decimal
    professional: Decimal
    public: Decimal
    route_cap: Decimal

    @classmethod
    def current(cls) -> Policy:
        cfg = current_app.config["POLICY"]
        return cls(Decimal(str(cfg["TOTAL_HOURS"])), Decimal(str(cfg["PROFESSIONAL_HOURS"])),
                   Decimal(str(cfg["PUBLIC_HOURS"])), Decimal(str(cfg["ROUTE_CAP_HOURS"])))


def credit(*, user_id: int, year: int, category: str, source: str, source_id: int,
           hours: Decimal, route: str | None = None, note: str | None = None) -> HourEntry:
    """Credit hours from one record (``source`` is its record type). A record credits a person at
    most once per category (a unique index guards it, should a handler ever run twice)."""
    entry = HourEntry(user_id=user_id, year=year, category=category, source=source,
                      source_id=source_id, route=route, hours=hours, note=note)
    db.session.add(entry)
    return entry


def reverse(source: str, source_id: int, note: str | None = None, *,
            user_id: int | None = None) -> list[HourEntry]:
    """Cancel what a record credited (all of it, or one person's), keeping the history.

    Each credit gets a reversal row with the negated hours, so sums drop to nothing while the
    original row stays; a credit is reversed at most once.
    """
    reversed_ids = select(HourEntry.reverses_id).where(HourEntry.reverses_id.is_not(None))
    query = select(HourEntry).where(HourEntry.source == source, HourEntry.source_id == source_id,
                                    HourEntry.reverses_id.is_(None), HourEntry.id.not_in(reversed_ids))
    if user_id is not None:
        query = query.where(HourEntry.user_id == user_id)
    made = []
    for entry in db.session.scalars(query.order_by(HourEntry.id)).all():
        reversal = HourEntry(user_id=entry.user_id, year=entry.year, category=entry.category,
                             source=entry.source, source_id=entry.source_id, route=entry.route,
                             hours=-entry.hours, note=(note or entry.note), reverses_id=entry.id)
        db.session.add(reversal)
        made.append(reversal)
    return made


def net_by_source(source: str, source_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    """Hours standing per (record, person) for these records: credits less their reversals."""
    if not source_ids:
        return {}
    rows = db.session.execute(
        select(HourEntry.source_id, HourEntry.user_id, func.sum(HourEntry.hours))
        .where(HourEntry.source == source, HourEntry.source_id.in_(source_ids))
        .group_by(HourEntry.source_id, HourEntry.user_id))
    return {(record, user): Decimal(str(total)).quantize(ONE_DECIMAL) for record, user, total in rows}


def lock_person(user_id: int) -> None:
    """Serialise checks of one person's hours (a cap, a credit): a row lock on PostgreSQL.

    ``FOR NO KEY UPDATE`` rather than ``FOR UPDATE``: it still serialises the checks, but
    does not block inserts whose foreign keys point at the user.

    SQLite needs none: a writing request holds the database's write lock from
    its first statement (``BEGIN IMMEDIATE``, see ``app/db.py``).
    """
    if db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


def year_summary(user_id: int, year: int) -> dict[str, Any]:
    rows = db.session.execute(
        select(HourEntry.category, HourEntry.source, func.sum(HourEntry.hours))
        .where(HourEntry.user_id == user_id, HourEntry.year == year)
        .group_by(HourEntry.category, HourEntry.source)).all()
    by_category = {"professional": ZERO, "public_general": ZERO, "public_industry": ZERO}
    by_source: dict[str, Decimal] = {}
    for category, source, hours in rows:
        hours = Decimal(str(hours)).quantize(ONE_DECIMAL)
        by_category[category] = by_category.get(category, ZERO) + hours
        by_source[source] = by_source.get(source, ZERO) + hours
    policy = Policy.current()
    professional = by_category["professional"]
    public = by_category["public_general"] + by_category["public_industry"]
    total = professional + public
    complete = total >= policy.total and professional >= policy.professional and public >= policy.public
    return {
        "year": year,
        "total": total,
        "professional": professional,
        "public": public,
        "public_general": by_category["public_general"],
        "public_industry": by_category["public_industry"],
        "by_source": by_source,
        "required": {"total": policy.total, "professional": policy.professional,
                     "public": policy.public},
        "complete": complete,
        "completion_label": _("Qualified") if complete else _("Not completed"),
    }
