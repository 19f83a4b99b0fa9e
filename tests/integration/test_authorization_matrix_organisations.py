"""Every route of the organisation tree, departments and subordinate units x every kind of caller: the
expected status, and a refusal changes nothing. Setting: unit 1 has a department 工程部; an empty unit
(演示空壳单位, its administrator only) sits under the city authority. A unit's administrator never sees
nor changes another unit's departments; an authority sees its subtree only; global roles only read."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Department, Organisation, ProcessEvent, RoleAssignment
from tests.support.matrix import call, check_route
from tests.support.organisations import more_orgs
from tests.support.world import T1

CALLERS = ["unit_admin", "unit_admin_b", "unit_reviewer", "authority_admin", "authority_reviewer",
           "authority_reviewer_b", "provider_admin", "process_admin", "auditor", "admin", T1, None]
SHORT = {"ua": "unit_admin", "ub": "unit_admin_b", "ur": "unit_reviewer", "aa": "authority_admin",
         "ar": "authority_reviewer", "arb": "authority_reviewer_b", "pa": "provider_admin",
         "proc": "process_admin", "aud": "auditor", "sys": "admin", "t1": T1}


def _all(status: int, **exceptions: int) -> dict[str | None, int]:
    table = {caller: status for caller in CALLERS}
    table.update({SHORT[key]: value for key, value in exceptions.items()})
    table[None] = 401
    return table


STAFF_AND_GLOBAL = {key: 200 for key in ("ua", "ub", "ur", "aa", "ar", "arb", "pa", "proc", "aud", "sys")}
# Unit 1 is seen by its own staff, the city authority's and the global roles; 404 to other organisations
SEES_UNIT1 = dict(ua=200, ur=200, aa=200, ar=200, proc=200, aud=200, sys=200, t1=403)
CHANGES_UNIT1 = dict(ua=0, ur=403, aa=403, ar=403, proc=403, aud=403, sys=403, t1=403)

ROUTES = {
    "tree": ("GET", "/units", None, _all(403, **STAFF_AND_GLOBAL), None),
    "tree search": ("GET", "/units?q=工程", None, _all(403, **STAFF_AND_GLOBAL), None),
    "subordinate units": ("GET", "/units?scope=subordinates", None, _all(403, aa=200), None),
    "unit detail": ("GET", "/units/{unit1}", None, _all(404, **SEES_UNIT1), None),
    "departments": ("GET", "/units/{unit1}/departments", None, _all(404, **SEES_UNIT1), None),
    "add a department": ("POST", "/units/{unit1}/departments", {"name": "安全部"},
                         _all(404, **{**CHANGES_UNIT1, "ua": 201}), "unit_admin"),
    "add a sub-department": ("POST", "/units/{unit1}/departments", "{sub}",
                             _all(404, **{**CHANGES_UNIT1, "ua": 201}), "unit_admin"),
    "rename a department": ("PATCH", "/units/{unit1}/departments/{dep}", {"name": "工程技术部"},
                            _all(404, **{**CHANGES_UNIT1, "ua": 200}), "unit_admin"),
    "disable a department": ("PATCH", "/units/{unit1}/departments/{dep}", {"active": False},
                             _all(404, **{**CHANGES_UNIT1, "ua": 200}), "unit_admin"),
    # unit 1's department through unit 2's path: nobody reaches it
    "another unit's department": ("PATCH", "/units/{unit2}/departments/{dep}", {"name": "x"},
                                  _all(404, ub=404, ur=404, aa=403, ar=403, proc=403, aud=403, sys=403, t1=403,
                                       ua=404), None),
    "remove a unit": ("POST", "/units/{empty}/remove", {}, _all(403, aa=200), "authority_admin"),
    "remove the authority itself": ("POST", "/units/{city}/remove", {}, _all(403), None),
}


@pytest.fixture
def setting(api, app, world) -> dict:
    ids = more_orgs(app, world)
    made = api.as_("unit_admin").post(f"/units/{world.unit1}/departments", json={"name": "工程部"})
    assert made.status_code == 201
    return {"unit1": world.unit1, "unit2": world.unit2, "city": world.city, "empty": ids["empty"],
            "dep": made.get_json()["id"]}


def _state(app) -> tuple:
    with app.app_context():
        return (tuple(db.session.execute(db.select(Department.id, Department.name, Department.parent_id,
                                                   Department.is_active).order_by(Department.id))),
                tuple(db.session.execute(db.select(Organisation.id, Organisation.is_active).order_by(Organisation.id))),
                db.session.scalar(db.select(db.func.count(RoleAssignment.id))),
                db.session.scalar(db.select(db.func.count(ProcessEvent.id)).where(  # not the logins' token events
                    ProcessEvent.record_type.in_(("department", "organisation")))))


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(api, app, world, setting, route):
    method, template, body, expected, changer = ROUTES[route]
    if body == "{sub}":
        body = {"name": "路基组", "parent_id": setting["dep"]}
    path = template.format(**setting)
    check_route(api, route, CALLERS, expected, changer, lambda: _state(app),
                lambda who: call(api, who, method, path, body))
