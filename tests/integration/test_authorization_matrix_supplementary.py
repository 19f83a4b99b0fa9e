"""Every route of supplementary claims (学时增补) x every kind of caller: the expected status, and a
refusal changes nothing.

Setting per case: T1 (of 工程公司) had an exam claim approved this year; the clock is at 10 January
next year, and T1's supplement for this year's exam route has been agreed by the unit, with one entry
and one proof (个人保存). Its reviewers: 工程公司 (unit), 市局 (学时办), 省厅 (省级备案).
"""
from __future__ import annotations

import pytest

from tests.integration.test_supplementary import entry, next_january, upload
from tests.support.matrix import call, check_route
from tests.support.world import T1, T2

CALLERS = ["unit_reviewer", "unit_reviewer_b", "authority_reviewer", "authority_reviewer_b",
           "supervisor_reviewer", "hr_reviewer", "provider_admin", "process_admin", "auditor", T1, T2, None]
NAMES = {"owner": T1, "t2": T2, "unit": "unit_reviewer", "office": "authority_reviewer",
         "province": "supervisor_reviewer", "admin": "process_admin", "auditor": "auditor"}


def _all(status: int, anonymous: int = 401, **exceptions: int) -> dict[str | None, int]:
    table = {caller: status for caller in CALLERS}
    table.update({NAMES[key]: value for key, value in exceptions.items()})
    table[None] = anonymous
    return table


READ = _all(404, owner=200, unit=200, office=200, province=200, admin=200, auditor=200)


def change(status: int) -> dict[str | None, int]:
    """Only the trainee changes their supplement; those who may read it are refused (403)."""
    return _all(404, owner=status, unit=403, office=403, province=403, admin=403, auditor=403)


ROUTES = {
    "ask for a supplement": ("POST", "/supplementary", {"route": "exam"}, _all(403, owner=409, t2=422), None),
    "my supplements": ("GET", "/supplementary", None, _all(200), None),
    "read supplement": ("GET", "/supplementary/{record}", None, READ, None),
    "cancel supplement": ("POST", "/supplementary/{record}/cancel", None, change(200), T1),
    "add entry": ("POST", "/supplementary/{record}/entries", "{entry}", change(201), T1),
    "edit entry": ("PUT", "/supplementary/{record}/entries/{entry}", "{entry}", change(200), T1),
    "remove entry": ("DELETE", "/supplementary/{record}/entries/{entry}", None, change(204), T1),
    "report supplement": ("POST", "/supplementary/{record}/submit", None, change(200), T1),
    "attach proof": ("UPLOAD", "/supplementary/{record}/files", None, change(201), T1),
    "read proof": ("GET", "/supplementary/{record}/files/{file}", None, READ, None),
    "remove proof": ("DELETE", "/supplementary/{record}/files/{file}", None, change(204), T1),
}


@pytest.fixture
def setting(api, app, clock) -> dict:
    year = next_january(app, api, clock)
    record = api.as_(T1).post("/supplementary", json={"route": "exam"}).get_json()
    assert api.decide("unit_reviewer", record["id"], "agree", "supplementary").status_code == 200
    added = api.as_(T1).post(f"/supplementary/{record['id']}/entries", json=entry(year)).get_json()
    proof = upload(api, record["id"]).get_json()
    return {"record": record["id"], "entry": added["id"], "file": proof["id"], "year": year}


def _state(api, ids: dict) -> tuple:
    body = api.as_("process_admin").get(f"/supplementary/{ids['record']}").get_json()
    return (body["status"], body["hours_total"], [(e["title"], e["hours"]) for e in body["entries"]],
            len(body["files"]), api.as_(T1).get("/supplementary").get_json()["total"])


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(api, setting, route):
    method, template, body, expected, changer = ROUTES[route]
    if body == "{entry}":
        body = entry(setting["year"], 4, title="改过的增补内容")
    path = template.format(**setting)
    check_route(api, route, CALLERS, expected, changer, lambda: _state(api, setting),
                lambda who: call(api, who, method, path, body, upload={"description": "结业证书"}))
