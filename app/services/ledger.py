"""The hours ledger and the yearly policy it is measured against."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, func, select

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
    entry = HourEntry(user_id=user_id, year=year, category=category, source=source,
                      source_id=source_id, route=route, hours=hours, note=note)
    db.session.add(entry)  # flushed with the rest of the step; the unique key still guards doubles
    return entry


def lock_trainee(user_id: int) -> None:
    """Serialise cap checks of one trainee: a row lock on PostgreSQL.

    ``FOR NO KEY UPDATE`` rather than ``FOR UPDATE``: it still serialises cap
    checks, but does not block inserts whose foreign keys point at the user.

    SQLite needs none: a writing request holds the database's write lock from
    its first statement (``BEGIN IMMEDIATE``, see ``app/db.py``).
    """
    if db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


# Built once (it runs on every claim view and review); -1 stands for "exclude nothing".
_ROUTE_USED = select(func.coalesce(func.sum(HourEntry.hours), 0)).where(
    HourEntry.user_id == bindparam("user_id"), HourEntry.year == bindparam("year"),
    HourEntry.source == "claim", HourEntry.route == bindparam("route"),
    HourEntry.source_id != bindparam("exclude"))


def route_used(user_id: int, year: int, route: str, *, exclude_source_id: int | None = None) -> Decimal:
    used = db.session.scalar(_ROUTE_USED, {"user_id": user_id, "year": year, "route": route,
                                           "exclude": -1 if exclude_source_id is None else exclude_source_id})
    return Decimal(str(used)).quantize(ONE_DECIMAL)  # the same on every database


def route_remaining(user_id: int, year: int, route: str, *,
                    exclude_source_id: int | None = None) -> Decimal:
    used = route_used(user_id, year, route, exclude_source_id=exclude_source_id)
    return max(Policy.current().route_cap - used, ZERO).quantize(ONE_DECIMAL)


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
