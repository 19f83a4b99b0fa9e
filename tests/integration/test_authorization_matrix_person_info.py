"""Every route of person info changes (人员信息修改) x every kind of caller: the expected status, and a
refusal changes nothing. Setting: T1 (of 工程公司) has a change waiting for 工程公司's review."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from app.processes.person_info_change.models import PersonInfoChange
from tests.support.matrix import call, check_route
from tests.support.person_info import asked, task_of
from tests.support.world import T1, T2, T3

CALLERS = ["unit_reviewer", "unit_admin", "unit_reviewer_b", "unit_admin_b", "authority_reviewer",
           "process_admin", "auditor", T1, T2, T3, None]
NAMES = {"owner": T1, "t2": T2, "t3": T3, "reviewer": "unit_reviewer", "admin": "unit_admin",
         "process_admin": "process_admin", "auditor": "auditor"}


def _all(status: int, **exceptions: int) -> dict[str | None, int]:
    table = {caller: status for caller in CALLERS}
    table.update({NAMES[key]: value for key, value in exceptions.items()})
    table[None] = 401
    return table


ROUTES = {
    "my details": ("GET", "/me/profile-change", None, _all(200), None),
    # staff ask nothing; T1's change waits; T2 and T3 ask their own (hence "all")
    "ask": ("POST", "/me/profile-change", {"specialty": "桥梁工程"}, _all(403, owner=409, t2=201, t3=201), "all"),
    "ask at /me/profile": ("POST", "/me/profile", {"specialty": "桥梁工程"},
                           _all(403, owner=409, t2=201, t3=201), "all"),
    "withdraw": ("POST", "/me/profile-change/withdraw", None, _all(409, owner=200, process_admin=403, auditor=403), T1),
    "unit's changes": ("GET", "/profile-changes", None, _all(200), None),
    "read a change": ("GET", "/profile-changes/{change}", None,
                      _all(404, owner=200, reviewer=200, admin=200, process_admin=200, auditor=200), None),
    "review a change": ("POST", "/tasks/{task}/complete", {"decision": "approve"},
                        _all(403, reviewer=200), "unit_reviewer"),
}


@pytest.fixture
def setting(api) -> dict:
    change = asked(api, T1)
    return {"change": change["id"], "task": task_of(api, "unit_reviewer", change["id"])["id"]}


def _state(app) -> tuple:
    with app.app_context():
        rows = db.session.execute(select(PersonInfoChange.person_id, PersonInfoChange.status)
                                  .order_by(PersonInfoChange.id)).all()
        name = db.session.scalar(select(User.name).where(User.username == T1))
        count = db.session.scalar(select(func.count(PersonInfoChange.id)))
        db.session.remove()
        return [tuple(r) for r in rows], name, count


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(api, app, world, setting, route):
    method, template, body, expected, changer = ROUTES[route]
    path = template.format(**setting)
    state = (lambda: _state(app)) if changer != "all" else (lambda: None)
    # 工程公司's administrator reviews too: left out of the review row, or it would decide before the reviewer
    callers = [c for c in CALLERS if not (route == "review a change" and c == "unit_admin")]
    check_route(api, route, callers, expected, changer, state, lambda who: call(api, who, method, path, body))
    if route == "review a change":
        assert _state(app)[1] == "张伟明"  # the reviewer's approval wrote the new name
