"""Every route of 修改单位信息 x every kind of caller: the expected status, and a refusal changes nothing.

Setting per case: unit 1 (演示交通工程有限公司, under 演示市交通运输局) asked for a new name and credit
code, waiting for the city authority. Unit 2 (演示公路养护有限公司, under the same authority) has nothing
pending. 演示市建设局 is another authority; unit 2's administrator is another unit's administrator
for unit 1's change. The caller whose call changes the state goes last.
"""
from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Organisation
from tests.support.matrix import call, check_route
from tests.support.world import T1

CALLERS = ["unit_admin", "unit_reviewer", "unit_admin_b", "unit_reviewer_b", T1, "authority_reviewer",
           "authority_admin", "authority_reviewer_b", "process_admin", "auditor", None]
NAMES = {"A1": "unit_admin", "R1": "unit_reviewer", "A2": "unit_admin_b", "R2": "unit_reviewer_b", "person": T1,
         "parent": "authority_reviewer", "parent_admin": "authority_admin", "other": "authority_reviewer_b",
         "admin": "process_admin", "auditor": "auditor"}


def _all(status: int, **exceptions: int) -> dict[str | None, int]:
    table = {caller: status for caller in CALLERS}
    table.update({NAMES[key]: value for key, value in exceptions.items()})
    table[None] = 401
    return table


READ = _all(404, A1=200, R1=200, parent=200, parent_admin=200, admin=200, auditor=200)
# name: (method, path, body, expectations, the caller whose call changes the state)
ROUTES = {
    "ask for an information change": ("POST", "/units/{unit2}/changes", {"name": "演示养护新名称", "reason": "更名"},
                                      _all(404, A2=201, R2=403, admin=403, auditor=403), "unit_admin_b"),
    "read an information change": ("GET", "/unit-changes/{change}", None, READ, None),
    "cancel an information change": ("POST", "/unit-changes/{change}/cancel", None,
                                     _all(404, A1=200, R1=403, parent=403, parent_admin=403, admin=403,
                                          auditor=403), "unit_admin"),
    "review an information change": ("POST", "/tasks/{task}/complete", {"decision": "approve"},
                                     _all(403, parent=200, person=403), "authority_reviewer"),
}


@pytest.fixture
def setting(api, world) -> dict[str, int]:
    change = api.as_("unit_admin").post(f"/units/{world.unit1}/changes", json={
        "name": "演示交通工程集团有限公司", "code": "91330100MA2AAAAA1E", "reason": "工商变更"})
    assert change.status_code == 201, change.get_json()
    task = api.task_for("authority_reviewer", change.get_json()["id"], "unit_change")
    return {"change": change.get_json()["id"], "task": task["id"], "unit2": world.unit2}


def _state(api, app, world, ids: dict[str, int]) -> tuple:
    change = api.as_("process_admin").get(f"/unit-changes/{ids['change']}").get_json()
    with app.app_context():
        orgs = tuple((o.name, o.code) for o in db.session.scalars(
            db.select(Organisation).where(Organisation.id.in_([world.unit1, world.unit2])).order_by(Organisation.id)))
    tasks = api.as_("process_admin").get("/tasks", query_string={"per_page": 1}).get_json()["total"]
    return change["status"], orgs, tasks


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(api, app, world, setting, route):
    method, template, body, expected, changer = ROUTES[route]
    path = template.format(**setting)
    check_route(api, route, CALLERS, expected, changer, lambda: _state(api, app, world, setting),
                lambda who: call(api, who, method, path, body))
