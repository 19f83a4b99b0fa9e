"""Every route of unit-declared hours (单位学时申报) x every kind of caller: the expected status,
and a refusal changes nothing.

Setting per case: 工程公司 (``unit_reviewer``) has declared hours for T1; 市局 (``authority_reviewer``)
has approved them, so the declaration waits for its verification.
"""
from __future__ import annotations

import pytest

from tests.integration.test_declarations import body, declared
from tests.support.matrix import call, check_route
from tests.support.world import T1, T2

CALLERS = ["unit_reviewer", "unit_reviewer_b", "authority_reviewer", "authority_reviewer_b", "process_admin",
           "auditor", T1, T2, "provider_admin", None]
NAMES = {"unit": "unit_reviewer", "other_unit": "unit_reviewer_b", "authority": "authority_reviewer",
         "admin": "process_admin", "auditor": "auditor", "person": T1}


def _all(status: int, anonymous: int = 401, **exceptions: int) -> dict[str | None, int]:
    table = {caller: status for caller in CALLERS}
    table.update({NAMES[key]: value for key, value in exceptions.items()})
    table[None] = anonymous
    return table


READ = _all(404, unit=200, authority=200, person=200, admin=200, auditor=200)

ROUTES = {
    "declare": ("POST", "/declarations", "{new}", _all(403, unit=201, other_unit=422), "unit_reviewer"),
    "list declarations": ("GET", "/declarations?tab=approved", None, _all(200), None),
    "read declaration": ("GET", "/declarations/{declaration}", None, READ, None),
    "verify": ("POST", "/declarations/{declaration}/verification", {"result": "fail", "reason": "查无记录"},
               _all(404, unit=403, authority=200, person=403, admin=403, auditor=403), "authority_reviewer"),
    "read proof": ("GET", "/declarations/{declaration}/files/{file}", None, READ, None),
}


@pytest.fixture
def setting(api) -> dict:
    item = declared(api)[0]
    response = api.decide("authority_reviewer", item["id"], "approve", record_type="declaration")
    assert response.status_code == 200, response.get_json()
    detail = api.as_("unit_reviewer").get(f"/declarations/{item['id']}").get_json()
    return {"declaration": item["id"], "file": detail["files"][0]["id"]}


def _state(api, ids: dict) -> tuple:
    seen = api.as_("process_admin").get(f"/declarations/{ids['declaration']}").get_json()
    listed = api.as_("unit_reviewer").get("/declarations").get_json()["total"]
    hours = api.as_(T1).get("/me/hours", query_string={"year": seen["year"]}).get_json()["total"]
    return seen["status"], len(seen["log"]), listed, hours


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(api, setting, route):
    method, template, payload, expected, changer = ROUTES[route]
    if payload == "{new}":
        payload = body()
    path = template.format(**setting)
    check_route(api, route, CALLERS, expected, changer, lambda: _state(api, setting),
                lambda who: call(api, who, method, path, payload))
