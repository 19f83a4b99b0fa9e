"""Every route of the hour record x every kind of caller: the expected status, and a refusal changes
nothing. Setting: T1's year is complete and confirmed, printed once; T2 has hours neither."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.clock import today
from app.extensions import db
from app.models import ProfileConfirmation, RecordPrint, User
from app.services import ledger
from tests.support.matrix import call, check_route
from tests.support.world import T1, T2

CALLERS = ["unit_reviewer", "provider_admin", "hr_reviewer", "process_admin", "auditor", T2, T1, None]


def _all(status: int, **exceptions: int) -> dict[str | None, int]:
    table = {caller: status for caller in CALLERS}
    names = {"t1": T1, "t2": T2, "none": None}
    table[None] = 401
    table.update({names.get(key, key): value for key, value in exceptions.items()})
    return table


ROUTES = {
    "history": ("GET", "/me/history", None, _all(200), None),
    "details": ("GET", "/me/profile?year={year}", None, _all(200), None),
    # T2 is enrolled and approved too: confirming is theirs to do; the others have no enrolment
    "confirm": ("POST", "/me/profile/confirm", {}, _all(409, t1=200, t2=200), "all"),
    "print": ("GET", "/me/record.pdf", None, _all(409, t1=200), T1),
    "print log": ("GET", "/me/record-prints", None, _all(200), None),
    "a print again": ("GET", "/me/record-prints/{number}.pdf", None,
                      _all(404, t1=200, auditor=200, process_admin=200), None),
    "verify": ("GET", "/records/verify/{number}", None, _all(200, none=200), None),
}


@pytest.fixture
def setting(api, app, world) -> dict:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == T1))
        for n, (category, hours) in enumerate([("professional", "72"), ("public_industry", "18")]):
            ledger.credit(user_id=user.id, year=today().year, category=category, source="claim",
                          source_id=990_000 + n, hours=Decimal(hours))
        db.session.commit()
    assert api.as_(T1).post("/me/profile/confirm", json={}).status_code == 200
    assert api.as_(T1).get("/me/record.pdf").status_code == 200
    number = api.as_(T1).get("/me/record-prints").get_json()["items"][0]["number"]
    return {"number": number, "year": today().year}


def _state(app) -> tuple:
    with app.app_context():
        return (db.session.scalar(select(func.count(RecordPrint.id))),
                sorted(db.session.scalars(select(ProfileConfirmation.user_id))))


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(api, app, world, setting, route):
    method, template, body, expected, changer = ROUTES[route]
    path = template.format(**setting)
    state = (lambda: _state(app)) if changer != "all" else (lambda: None)
    check_route(api, route, CALLERS, expected, changer, state, lambda who: call(api, who, method, path, body))
