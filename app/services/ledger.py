"""The hours ledger (credits and their reversals) and the yearly policy it is measured against."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, func, select

from ..db import read
from ..extensions import db
from ..i18n import _
from ..models import HourEntry, User

ZERO = Decimal("0.0")
ONE_DECIMAL = Decimal("0.1")


OVERRIDES = ("TOTAL_HOURS", "PROFESSIONAL_HOURS", "PUBLIC_HOURS")


def _hours(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class Policy:
    """The yearly requirement for one person: the region's (``[POLICY]`` in config), for their title level."""

    total: Decimal
    professional: Decimal
    public: Decimal
    route_cap: Decimal
    region: str = ""
    daily_cap: Decimal | None = None  # at most this many hours count for one day of training
    senior: bool = False  # measured against the senior titles' total

    @classmethod
    def current(cls, *, senior: bool = False) -> Policy:
        cfg = current_app.config["POLICY"]
        region = {**cfg["REGIONS"][cfg["REGION"]], **{key: cfg[key] for key in OVERRIDES if key in cfg}}
        total = region["TOTAL_HOURS"]
        senior_total = region.get("SENIOR_TOTAL_HOURS")
        if senior and senior_total is not None:
            total = senior_total
        return cls(total=Decimal(str(total)), professional=Decimal(str(region["PROFESSIONAL_HOURS"])),
                   public=Decimal(str(region["PUBLIC_HOURS"])), route_cap=Decimal(str(cfg["ROUTE_CAP_HOURS"])),
                   region=str(region.get("NAME", cfg["REGION"])), daily_cap=_hours(region.get("DAILY_CAP_HOURS")),
                   senior=senior and senior_total is not None)

    def day_limit(self, days: int) -> Decimal | None:
        """The most hours a record spanning ``days`` days may count (None: no daily limit)."""
        return None if self.daily_cap is None else self.daily_cap * max(days, 1)


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
    if db.engine.dialect.name != "sqlite":
        read(_LOCK_PERSON, {"lock_user_id": user_id})


_LOCK_PERSON = select(User.id).where(User.id == bindparam("lock_user_id")).with_for_update(key_share=True)  # built once


def year_summary(user_id: int, year: int, policy: Policy | None = None) -> dict[str, Any]:
    """A person's hours for a year by subject and by source, against ``policy`` (default: the region's)."""
    rows = db.session.execute(
        select(HourEntry.category, HourEntry.source, func.sum(HourEntry.hours))
        .where(HourEntry.user_id == user_id, HourEntry.year == year)
        .group_by(HourEntry.category, HourEntry.source)).all()
    return summarise(year, [(category, source, hours) for category, source, hours in rows],
                     policy or Policy.current())


def summarise(year: int, rows: list[tuple[str, str, Any]], policy: Policy) -> dict[str, Any]:
    """The year's totals from (category, source, hours) sums."""
    by_category = {"professional": ZERO, "public_general": ZERO, "public_industry": ZERO}
    by_source: dict[str, Decimal] = {}
    by_source_category: dict[str, dict[str, Decimal]] = {}
    for category, source, hours in rows:
        hours = Decimal(str(hours)).quantize(ONE_DECIMAL)
        by_category[category] = by_category.get(category, ZERO) + hours
        by_source[source] = by_source.get(source, ZERO) + hours
        cell = by_source_category.setdefault(source, {})
        cell[category] = cell.get(category, ZERO) + hours
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
        "by_source_category": by_source_category,
        "required": {"total": policy.total, "professional": policy.professional,
                     "public": policy.public},
        "region": policy.region,
        "senior": policy.senior,
        "complete": complete,
        "completion_label": _("Qualified") if complete else _("Not completed"),
    }
