"""Every route of the providers' pre-training filings x every kind of caller: the expected status,
and a refusal changes nothing.

Setting per case: 演示交通职业培训学院 (``provider_admin``) has a complete draft with its three
attachments, and a filing forwarded to the provincial HR department. The other provider's staff,
the prefecture HR department, a unit's reviewer and a trainee are party to neither.
"""
from __future__ import annotations

import pytest

from tests.integration.test_provider_prefilings import _body, _filing, _forwarded
from tests.support.matrix import call, check_route
from tests.support.world import T1

CALLERS = ["provider_admin_b", "supervisor_reviewer", "hr_reviewer", "hr_reviewer_city", "unit_reviewer", T1,
           "process_admin", "auditor", "provider_admin", None]


def _all(status: int, **exceptions: int) -> dict[str | None, int]:
    names = {"owner": "provider_admin", "other": "provider_admin_b", "supervisor": "supervisor_reviewer",
             "hr": "hr_reviewer", "hr_city": "hr_reviewer_city", "admin": "process_admin", "auditor": "auditor"}
    table = {caller: status for caller in CALLERS}
    table.update({names[key]: value for key, value in exceptions.items()})
    table[None] = 401
    return table


READ_DRAFT = _all(404, owner=200, admin=200, auditor=200)
CHANGE_DRAFT = _all(404, owner=200, admin=403, auditor=403)
READ_FORWARDED = _all(404, owner=200, supervisor=200, hr=200, admin=200, auditor=200)

# name: (method, path, body, expectations, the caller whose call changes the state)
ROUTES = {
    "create filing": ("POST", "/filings?temporary=true", {"class_name": "新的培训班"},
                      _all(403, owner=201, other=201), None),
    "list filings": ("GET", "/filings", None, _all(200), None),
    "read draft": ("GET", "/filings/{draft}", None, READ_DRAFT, None),
    "read forwarded filing": ("GET", "/filings/{forwarded}", None, READ_FORWARDED, None),
    "edit draft": ("PATCH", "/filings/{draft}", "{edit}", CHANGE_DRAFT, "provider_admin"),
    "edit forwarded filing": ("PATCH", "/filings/{forwarded}", "{edit}",
                              _all(404, owner=409, supervisor=403, hr=403, admin=403, auditor=403), None),
    "attach to draft": ("UPLOAD", "/filings/{draft}/files", None, {**CHANGE_DRAFT, "provider_admin": 201},
                        "provider_admin"),
    "draft's form": ("GET", "/filings/{draft}/form.pdf", None, _all(404, owner=409, admin=409, auditor=409), None),
    "forwarded filing's form": ("GET", "/filings/{forwarded}/form.pdf", None, READ_FORWARDED, None),
    "read draft file": ("GET", "/filings/{draft}/files/{file}", None, READ_DRAFT, None),
    "remove draft file": ("DELETE", "/filings/{draft}/files/{file}", None, CHANGE_DRAFT, "provider_admin"),
    "submit draft": ("POST", "/filings/{draft}/submit", None, CHANGE_DRAFT, "provider_admin"),
    "delete draft": ("DELETE", "/filings/{draft}", None, CHANGE_DRAFT, "provider_admin"),
}


@pytest.fixture
def setting(api, world) -> dict[str, int]:
    draft = _filing(api)
    forwarded = _forwarded(api)
    return {"draft": draft["id"], "forwarded": forwarded["id"],
            "file": api.as_("provider_admin").get(f"/filings/{draft['id']}").get_json()["files"][0]["id"]}


def _state(api, ids: dict[str, int]) -> tuple:
    draft = api.as_("process_admin").get(f"/filings/{ids['draft']}")
    forwarded = api.as_("process_admin").get(f"/filings/{ids['forwarded']}").get_json()
    body = draft.get_json()
    return (draft.status_code, body.get("status"), body.get("venue"), len(body.get("files", [])),
            forwarded["status"], forwarded["venue"])


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(api, world, setting, route):
    method, template, body, expected, changer = ROUTES[route]
    if body == "{edit}":
        body = {"venue": _body()["venue"] + "（改）"}
    path = template.format(**setting)
    check_route(api, route, CALLERS, expected, changer, lambda: _state(api, setting),
                lambda who: call(api, who, method, path, body, upload={"kind": "other"}))
