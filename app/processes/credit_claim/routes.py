"""Credit-claim routes (学时登记途径, seed 000 §4.2) and their suggested hours.

Each route takes its own ``details``; ``suggest`` turns them into the hours the
rules grant, before the yearly cap per route (``ROUTE_CAP_HOURS``) is applied.
The codes and names of the routes are shared (``app/domain/credit_routes.py``); the rule
text is shown on the claim form.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ...domain import N_
from ...domain.credit_routes import ROUTE_LABELS

LEVEL_LABELS = {"national": N_("National"), "provincial": N_("Provincial"), "city": N_("City"),
                "county": N_("County")}
JOURNAL_LABELS = {"core": N_("Core journal"), "national": N_("National journal"),
                  "provincial": N_("Provincial journal"), "other": N_("Other journal or proceedings")}

SEMINAR_HOURS = {"national": 36, "provincial": 36, "city": 24}
RESEARCH_HOURS = {"national": 24, "provincial": 18, "city": 12, "county": 6}
PAPER_HOURS = {"core": 24, "national": 18, "provincial": 12, "other": 6}
RESEARCH_MAX_RANK = 5
PAPER_MAX_RANK = 3


Problem = tuple[str, dict[str, Any]]  # (message id, parameters): translated where shown


class DetailsError(ValueError):
    """Route details are missing or out of range; ``fields`` maps field -> problem."""

    def __init__(self, fields: dict[str, Problem]):
        super().__init__("; ".join(f"{k}: {v[0] % v[1]}" for k, v in fields.items()))
        self.fields = fields


def _int(details: Mapping[str, Any], key: str, low: int, high: int, errors: dict[str, Problem]) -> int:
    value = details.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        errors[key] = (N_("A whole number."), {})
        return 0
    if not low <= value <= high:
        errors[key] = (N_("Between %(low)s and %(high)s."), {"low": low, "high": high})
        return 0
    return value


def _choice(details: Mapping[str, Any], key: str, choices: Mapping[str, Any],
            errors: dict[str, Problem]) -> str:
    value = details.get(key)
    if not isinstance(value, str) or value not in choices:
        errors[key] = (N_("One of: %(choices)s."), {"choices": ", ".join(choices)})
        return ""
    return str(value)


def _exam(d: Mapping[str, Any], e: dict[str, Problem]) -> Decimal:
    return Decimal(8 * _int(d, "subjects_passed", 1, 20, e))


def _seminar(d: Mapping[str, Any], e: dict[str, Problem]) -> Decimal:
    level = _choice(d, "level", SEMINAR_HOURS, e)
    stated = d.get("stated_hours")
    if stated is not None:
        if isinstance(stated, bool) or not isinstance(stated, (int, float)) or not 0 < stated <= 200:
            e["stated_hours"] = (N_("A number above 0 and at most 200."), {})
            return Decimal(0)
        return Decimal(str(stated)).quantize(Decimal("0.1"))
    return Decimal(SEMINAR_HOURS.get(level, 0))


def _training(d: Mapping[str, Any], e: dict[str, Problem]) -> Decimal:
    return Decimal(6 * _int(d, "days", 1, 366, e))


def _research(d: Mapping[str, Any], e: dict[str, Problem]) -> Decimal:
    level = _choice(d, "level", RESEARCH_HOURS, e)
    rank = _int(d, "rank", 1, 1000, e)
    if rank > RESEARCH_MAX_RANK:
        e["rank"] = (N_("Only the first %(n)s contributors may claim."), {"n": RESEARCH_MAX_RANK})
    return Decimal(RESEARCH_HOURS.get(level, 0))


def _paper(d: Mapping[str, Any], e: dict[str, Problem]) -> Decimal:
    journal = _choice(d, "journal", PAPER_HOURS, e)
    rank = _int(d, "rank", 1, 1000, e)
    if rank > PAPER_MAX_RANK:
        e["rank"] = (N_("Only the first %(n)s contributors may claim."), {"n": PAPER_MAX_RANK})
    count = _int(d, "count", 1, 100, e)
    return Decimal(PAPER_HOURS.get(journal, 0) * count)


def _degree_course(d: Mapping[str, Any], e: dict[str, Problem]) -> Decimal:
    return Decimal(3 * _int(d, "courses_passed", 1, 60, e))


@dataclass(frozen=True)
class Route:
    code: str
    label: str
    rule: str
    fields: tuple[str, ...]
    optional: tuple[str, ...]
    _suggest: Callable[[Mapping[str, Any], dict[str, Problem]], Decimal]

    def suggest(self, details: Mapping[str, Any]) -> Decimal:
        """Hours the rules grant for ``details``; raises DetailsError when they are invalid."""
        if not isinstance(details, Mapping):
            raise DetailsError({"details": (N_("An object of route details."), {})})
        errors: dict[str, Problem] = {}
        unknown = set(details) - set(self.fields) - set(self.optional)
        for key in sorted(unknown):
            errors[key] = (N_("Not a field of this route."), {})
        hours = self._suggest(details, errors)
        if errors:
            raise DetailsError(errors)
        return hours


ROUTES: dict[str, Route] = {r.code: r for r in (
    Route("exam", ROUTE_LABELS["exam"],
          N_("Passing a transport qualification exam: 8 hours for every subject passed."),
          ("subjects_passed",), (), _exam),
    Route("seminar", ROUTE_LABELS["seminar"],
          N_("An advanced transport seminar approved by the HR department: the hours the seminar "
             "states; otherwise 36, 36 or 24 hours for a national, provincial or city seminar."),
          ("level",), ("stated_hours",), _seminar),
    Route("training", ROUTE_LABELS["training"],
          N_("Transport training or academic events held by authorities or industry bodies at home "
             "or abroad: 6 hours a day."),
          ("days",), (), _training),
    Route("research", ROUTE_LABELS["research"],
          N_("Transport legislation, research projects or construction standards, for the first five "
             "contributors: 24, 18, 12 or 6 hours per item at national, provincial, city or county level."),
          ("level", "rank"), (), _research),
    Route("paper", ROUTE_LABELS["paper"],
          N_("Transport papers or books (and translations), for the first three authors: 24, 18, 12 or 6 "
             "hours per paper or per 10,000 words in a core, national, provincial or other journal or "
             "published proceedings."),
          ("journal", "rank", "count"), (), _paper),
    Route("degree_course", ROUTE_LABELS["degree_course"],
          N_("In-service degree education in a transport subject: 3 hours for every course passed."),
          ("courses_passed",), (), _degree_course),
)}
