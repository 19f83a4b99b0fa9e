"""Every route of staff transfers and organisation changes x every kind of caller: the expected
status, and a refusal changes nothing.

Setting per case: 王强 (T3) of unit 2 has a transfer to unit 1 waiting, with one attachment;
unit 1 asked to move from 演示市交通运输局 (old parent) to 演示市建设局 (new parent), waiting. A third
unit's reviewer is neither side of anything. The caller whose call changes the state goes last.
"""
from __future__ import annotations

import io

import pytest

from app.extensions import db
from app.models import Organisation
from tests.support.files import png
from tests.support.matrix import call, check_route
from tests.support.people import make_user
from tests.support.world import T1, T3, T4

CALLERS = ["unit_reviewer_b", "unit_reviewer", "unit_reviewer_c", T3, T1, "authority_reviewer",
           "authority_reviewer_b", "process_admin", "auditor", None]


def _all(status: int, **exceptions: int) -> dict[str | None, int]:
    names = {"U2": "unit_reviewer_b", "U1": "unit_reviewer", "U3": "unit_reviewer_c", "person": T3,
             "other": T1, "old": "authority_reviewer", "new": "authority_reviewer_b", "admin": "process_admin",
             "auditor": "auditor"}
    table = {caller: status for caller in CALLERS}
    table.update({names[key]: value for key, value in exceptions.items()})
    table[None] = 401
    return table


READ_TRANSFER = _all(404, U2=200, U1=200, person=200, admin=200, auditor=200)
CHANGE_TRANSFER = _all(404, U2=200, U1=403, person=403, admin=403, auditor=403)
READ_CHANGE = _all(404, U1=200, old=200, new=200, admin=200, auditor=200)
CHANGE_CHANGE = _all(404, U1=200, old=403, new=403, admin=403, auditor=403)

# name: (method, path, body, expectations, the caller whose call changes the state)
ROUTES = {
    "file transfer": ("POST", "/transfers", "{new_transfer}",
                      _all(403, U1=201, U2=422, U3=422), "unit_reviewer"),
    "list transfers": ("GET", "/transfers", None, _all(200), None),
    "read transfer": ("GET", "/transfers/{transfer}", None, READ_TRANSFER, None),
    "cancel transfer": ("POST", "/transfers/{transfer}/cancel", None, CHANGE_TRANSFER, "unit_reviewer_b"),
    "attach to transfer": ("UPLOAD", "/transfers/{transfer}/files", None, {**CHANGE_TRANSFER, "unit_reviewer_b": 201},
                           "unit_reviewer_b"),
    "read transfer file": ("GET", "/transfers/{transfer}/files/{file}", None, READ_TRANSFER, None),
    "ask for a parent change": ("POST", "/units/{unit2}/parent-change", "{parent_change}",
                                _all(404, U2=201, admin=403, auditor=403), "unit_reviewer_b"),
    "read unit change": ("GET", "/unit-changes/{change}", None, READ_CHANGE, None),
    "cancel unit change": ("POST", "/unit-changes/{change}/cancel", None, CHANGE_CHANGE, "unit_reviewer"),
}


@pytest.fixture
def setting(api, app, world) -> dict[str, int]:
    with app.app_context():
        third = Organisation(name="演示第三单位", kind="unit", parent_id=world.city)
        db.session.add(third)
        db.session.commit()
        third_id = third.id
    make_user(app, "unit_reviewer_c", "第三单位审核员", roles=[("reviewer", third_id)])
    transfer = api.as_("unit_reviewer_b").post("/transfers", json={
        "id_number": T3, "to_unit_id": world.unit1, "reason": "工作调动", "contact_name": "王经理",
        "contact_phone": "0571-88888888"})
    assert transfer.status_code == 201, transfer.get_json()
    transfer_id = transfer.get_json()["id"]
    attached = api.as_("unit_reviewer_b").post(f"/transfers/{transfer_id}/files", content_type="multipart/form-data",
                                               data={"file": (io.BytesIO(png()), "调函.png")})
    assert attached.status_code == 201, attached.get_json()
    change = api.as_("unit_reviewer").post(f"/units/{world.unit1}/parent-change",
                                           json={"new_parent_id": world.city_b, "reason": "划转"})
    assert change.status_code == 201, change.get_json()
    return {"transfer": transfer_id, "file": attached.get_json()["id"], "change": change.get_json()["id"],
            "unit2": world.unit2}


def _bodies(world) -> dict[str, dict]:
    return {"{new_transfer}": {"id_number": T4, "to_unit_id": world.unit2, "reason": "岗位调整",
                               "contact_name": "李主任", "contact_phone": "0571-87777777"},
            "{parent_change}": {"new_parent_id": world.city_b, "reason": "业务划转"}}


def _state(api, ids: dict[str, int]) -> tuple:
    transfer = api.as_("process_admin").get(f"/transfers/{ids['transfer']}").get_json()
    change = api.as_("process_admin").get(f"/unit-changes/{ids['change']}").get_json()
    transfers = api.as_("process_admin").get("/tasks", query_string={"per_page": 1}).get_json()["total"]
    return transfer["status"], len(transfer["files"]), change["status"], transfers


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(api, world, setting, route):
    method, template, body, expected, changer = ROUTES[route]
    body = _bodies(world).get(body, body)
    path = template.format(**setting)
    check_route(api, route, CALLERS, expected, changer, lambda: _state(api, setting),
                lambda who: call(api, who, method, path, body))
