"""Every route of post-training filings and e-certificates x every kind of caller: the expected
status, and a refusal changes nothing.

Setting per case: 演示交通职业培训学院 (``provider_admin``) has a draft post-filing of the class
that ended three days ago, with results imported and a summary attached; T1 holds a certificate
of an earlier filed class (made directly, as a filing would issue it).
"""
from __future__ import annotations

import io

import pytest

from app.extensions import db
from app.models import User
from app.services import certificates
from tests.integration.test_provider_postfilings import ended_class, ready
from tests.support.matrix import call, check_route
from tests.support.world import T1, T2
from tests.support.xlsx import workbook

CALLERS = ["provider_admin_b", "supervisor_reviewer", "hr_reviewer", "hr_reviewer_city", "unit_reviewer",
           "process_admin", "auditor", T1, T2, "provider_admin", None]
NAMES = {"owner": "provider_admin", "other": "provider_admin_b", "hr": "hr_reviewer", "admin": "process_admin",
         "auditor": "auditor", "t1": T1,
         "t2": T2}


def _all(status: int, anonymous: int = 401, **exceptions: int) -> dict[str | None, int]:
    table = {caller: status for caller in CALLERS}
    table.update({NAMES[key]: value for key, value in exceptions.items()})
    table[None] = anonymous
    return table


READ = _all(404, owner=200, admin=200, auditor=200)
CHANGE = _all(404, owner=200, admin=403, auditor=403)

ROUTES = {
    "create post-filing": ("POST", "/post-filings", "{new}", _all(403, owner=409, other=422), None),
    "list post-filings": ("GET", "/post-filings", None, _all(200), None),
    "read post-filing": ("GET", "/post-filings/{filing}", None, READ, None),
    "edit post-filing": ("PATCH", "/post-filings/{filing}", {"summary": "改过的总结"}, CHANGE, "provider_admin"),
    "results template": ("GET", "/post-filings/{filing}/results-template.xlsx", None, READ, None),
    "import results": ("XLSX", "/post-filings/{filing}/results", None, CHANGE, "provider_admin"),
    "error report": ("GET", "/post-filings/{filing}/results-errors.xlsx", None,
                     _all(404), None),
    "attach": ("UPLOAD", "/post-filings/{filing}/files", None, {**CHANGE, "provider_admin": 201}, "provider_admin"),
    "read attachment": ("GET", "/post-filings/{filing}/files/{file}", None, READ, None),
    "remove attachment": ("DELETE", "/post-filings/{filing}/files/{file}", None, CHANGE, "provider_admin"),
    "submit post-filing": ("POST", "/post-filings/{filing}/submit", None, CHANGE, "provider_admin"),
    "delete post-filing": ("DELETE", "/post-filings/{filing}", None, CHANGE, "provider_admin"),
    "my certificates": ("GET", "/certificates", None, _all(200), None),
    "certificate pdf": ("GET", "/certificates/{number}.pdf", None, _all(404, t1=200, admin=200, auditor=200), None),
    "verify a certificate": ("GET", "/certificates/verify/{number}", None, _all(200, anonymous=200), None),
}


@pytest.fixture
def setting(api, app, world) -> dict:
    filing = ready(api)
    detail = api.as_("provider_admin").get(f"/post-filings/{filing['id']}").get_json()
    with app.app_context():
        cert = certificates.issue(user=db.session.get(User, world.user[T1]), category="professional", hours=8,
                                  year=2026, title="往期培训班", issuer="演示交通职业培训学院", source="matrix",
                                  source_id=1)
        number = cert.number
        db.session.commit()
    return {"filing": filing["id"], "file": detail["files"][0]["id"], "number": number,
            "class_id": ended_class(api)["id"]}


def _state(api, ids: dict) -> tuple:
    filing = api.as_("process_admin").get(f"/post-filings/{ids['filing']}")
    body = filing.get_json()
    return (filing.status_code, body.get("status"), body.get("summary"), len(body.get("results", [])),
            len(body.get("files", [])), api.as_("provider_admin").get("/post-filings").get_json()["total"])


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(api, world, setting, route):
    method, template, body, expected, changer = ROUTES[route]
    if body == "{new}":
        body = {"class_id": setting["class_id"]}
    path = template.format(**setting)

    def send(who):
        if method == "XLSX":
            client = api.as_(who) if who else api.anonymous
            data = workbook([(T1, "张伟", 90, "是")])
            return client.post(path, content_type="multipart/form-data", data={"file": (io.BytesIO(data), "成绩.xlsx")})
        return call(api, who, method, path, body, upload={"kind": "other"})
    check_route(api, route, CALLERS, expected, changer, lambda: _state(api, setting), send)
