"""The routes of credit-hour claims (学时登记类别, seed 000 §4.2): their codes and names.

A route is part of the domain, not of one process: a credit claim is filed on a route, the
ledger keeps the route of the hours it credits (``HourEntry.route``), and a supplement for last
year (增补, seed 002) is asked for on a route the trainee already has hours on. The rules of
each route (its details, the hours they grant) stay with the credit claims.
"""
from __future__ import annotations

from . import N_

ROUTE_LABELS: dict[str, str] = {
    "exam": N_("Qualification exams"),
    "seminar": N_("Advanced seminar"),
    "training": N_("Training and academic events"),
    "research": N_("Legislation, research and standards"),
    "paper": N_("Papers and books"),
    "degree_course": N_("In-service degree education"),
}
ROUTE_CODES = tuple(ROUTE_LABELS)
