"""The year's windows and hour policy in force for an organisation: the one place that answers
"when may claims be submitted, when may last year be supplemented, how many hours are required".

Layers, nearest first: the nearest authority at or above the organisation that set the group for
the year (``YearSetting``, set by its administrators, ``app/windows/``), then the platform:
config (``[SUPPLEMENTARY]`` WINDOW_START/END, ``[POLICY]``). Each group (claim window,
supplementary window, required hours) is inherited on its own. A claim window no authority set
is ``None``: the credit-claim process keeps the platform's schedule of its own.

Config also bounds what an authority may set (``[AUTHORITY_SETTINGS]``, defaults in ``BOUNDS``).
Route and daily caps are config's only (``ledger.Policy.current``): no authority changes them.

Answers are kept for the rest of the request (one query per request for the settings, and one
for an organisation's authorities only when some authority set something for the year).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import bindparam, literal, select

from ..db import read
from ..models import Organisation
from ..models.policy import YearSetting
from . import ledger

CACHE_KEY = "app.policy"
MAX_DEPTH = 20  # an organisation tree is never deeper; guards the walk up against a cycle
# What an authority may set, unless ``[AUTHORITY_SETTINGS]`` in config says otherwise.
BOUNDS: dict[str, Any] = {
    "CLAIM_EARLIEST": "01-01",  # a year's claim window lies within that year, between these days
    "CLAIM_LATEST": "12-31",
    "SUPPLEMENTARY_EARLIEST": "01-01",  # the window to supplement a year lies in the next year, between these
    "SUPPLEMENTARY_LATEST": "03-31",
    "MIN_TOTAL_HOURS": 90,  # the total (and senior titles' total) required a year lies between these
    "MAX_TOTAL_HOURS": 200,
}


@dataclass(frozen=True)
class Window:
    opens_on: date
    closes_on: date

    def holds(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on


@dataclass(frozen=True)
class Hours:
    total: Decimal
    professional: Decimal
    public: Decimal
    senior_total: Decimal | None = None  # None: senior titles owe the total like everyone


@dataclass(frozen=True)
class Bounds:
    claim: Window  # the earliest opening and latest closing of a claim window
    supplementary: Window
    min_total: Decimal
    max_total: Decimal


@dataclass(frozen=True)
class Effective:
    """The year's settings in force for one organisation, each with who set it (None: the platform)."""

    year: int
    claim: Window | None
    supplementary: Window
    hours: Hours
    claim_from: int | None = None
    supplementary_from: int | None = None
    hours_from: int | None = None

    def policy(self, *, senior: bool = False) -> ledger.Policy:
        """The requirement for a person of this title level, with config's caps."""
        base = ledger.Policy.current(senior=senior)
        if self.hours_from is None:
            return base
        counts_senior = senior and self.hours.senior_total is not None
        total = self.hours.senior_total if counts_senior and self.hours.senior_total is not None else self.hours.total
        return replace(base, total=total, professional=self.hours.professional, public=self.hours.public,
                       senior=counts_senior)


# -- config -----------------------------------------------------------------------------------

def settings() -> dict[str, Any]:
    return {**BOUNDS, **current_app.config.get("AUTHORITY_SETTINGS", {})}


def _day(year: int, text: str) -> date:
    month, day = (int(part) for part in str(text).split("-"))
    return date(year, month, day)


def bounds(year: int) -> Bounds:
    conf = settings()
    return Bounds(claim=Window(_day(year, conf["CLAIM_EARLIEST"]), _day(year, conf["CLAIM_LATEST"])),
                  supplementary=Window(_day(year + 1, conf["SUPPLEMENTARY_EARLIEST"]),
                                       _day(year + 1, conf["SUPPLEMENTARY_LATEST"])),
                  min_total=Decimal(str(conf["MIN_TOTAL_HOURS"])), max_total=Decimal(str(conf["MAX_TOTAL_HOURS"])))


def platform(year: int) -> Effective:
    """Config's answer for ``year`` (what an organisation no authority set anything for gets)."""
    supplementary = current_app.config["SUPPLEMENTARY"]
    base, senior = ledger.Policy.current(), ledger.Policy.current(senior=True)
    hours = Hours(base.total, base.professional, base.public, senior.total if senior.senior else None)
    return Effective(year=year, claim=None, hours=hours, supplementary=Window(
        _day(year + 1, supplementary["WINDOW_START"]), _day(year + 1, supplementary["WINDOW_END"])))


# -- the authorities' settings ------------------------------------------------------------------

def _cache() -> dict[Any, Any]:
    """Kept on the request (never across requests); outside a request nothing is kept."""
    if not has_request_context():
        return {}
    return request.environ.setdefault(CACHE_KEY, {})


def forget() -> None:
    """After a change within this request, answer from the database again."""
    if has_request_context():
        request.environ.pop(CACHE_KEY, None)


# Built once; plain rows (named as the model's attributes), as ``effective`` only reads them.
_YEAR_SETTINGS = select(*YearSetting.__table__.columns).where(YearSetting.year == bindparam("year"))


def _year_settings(cache: dict[Any, Any], year: int) -> dict[int, Any]:
    key = ("settings", year)
    if key not in cache:
        cache[key] = {row.org_id: row for row in read(_YEAR_SETTINGS, {"year": year})}
    return cache[key]


def _authorities_statement() -> Any:
    up = select(Organisation.id, Organisation.parent_id, Organisation.kind, literal(0).label("depth")) \
        .where(Organisation.id == bindparam("org_id")).cte("up", recursive=True)
    up = up.union_all(select(Organisation.id, Organisation.parent_id, Organisation.kind, up.c.depth + 1)
                      .join(up, Organisation.id == up.c.parent_id).where(up.c.depth < MAX_DEPTH))
    return select(up.c.id).where(up.c.kind == "authority").order_by(up.c.depth)


_AUTHORITIES = _authorities_statement()  # built once: building it cost ~300 Python calls


def authorities(org_id: int) -> list[int]:
    """The authorities at and above ``org_id``, nearest first (one recursive query)."""
    return list(read(_AUTHORITIES, {"org_id": org_id}).scalars())


def nearest_authority_above(org_id: int) -> int | None:
    """The nearest authority above ``org_id`` (not itself), as ``Organisation.nearest("authority")``
    finds it, from this request's look-ups."""
    return next((found for found in _chain(_cache(), org_id) if found != org_id), None)


def _chain(cache: dict[Any, Any], org_id: int) -> list[int]:
    key = ("chain", org_id)
    if key not in cache:
        cache[key] = authorities(org_id)
    return cache[key]


def effective(org_id: int | None, year: int) -> Effective:
    """The windows and required hours of ``year`` for the people of ``org_id`` (None: the platform's)."""
    cache = _cache()
    if (org_id, year) in cache:
        return cache[(org_id, year)]
    answer = platform(year)
    rows = _year_settings(cache, year)
    if rows and org_id is not None:
        chain = [rows[authority] for authority in _chain(cache, org_id) if authority in rows]
        claim = next((row for row in chain if row.claim_opens_on is not None), None)
        supplementary = next((row for row in chain if row.supplementary_opens_on is not None), None)
        hours = next((row for row in chain if row.total_hours is not None), None)
        if claim is not None:
            answer = replace(answer, claim=Window(claim.claim_opens_on, claim.claim_closes_on), claim_from=claim.org_id)
        if supplementary is not None:
            answer = replace(answer, supplementary_from=supplementary.org_id, supplementary=Window(
                supplementary.supplementary_opens_on, supplementary.supplementary_closes_on))
        if hours is not None:
            answer = replace(answer, hours_from=hours.org_id, hours=Hours(
                hours.total_hours, hours.professional_hours, hours.public_hours, hours.senior_total_hours))
    cache[(org_id, year)] = answer
    return answer
