"""Every route of the people tools x every kind of caller: a unit's administrators see and change
their unit's people only, an authority's staff its subtree (its administrators also reset
passwords), everyone else is refused (API 403 / 404 for people out of sight, 401 without a token;
pages 403, the login page without a session), and a refusal changes nothing."""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ProcessEvent, User
from app.people.models import StaffImport
from tests.support.staff import staff_file, staff_rows
from tests.support.world import T1, T3

CALLERS = [T1, "unit_reviewer", "unit_admin", "unit_admin_b", "authority_reviewer", "authority_reviewer_b",
           "authority_admin", "provider_admin", "hr_reviewer", "process_admin", "auditor", "admin", None]
UNIT1_READERS = ("unit_admin", "authority_reviewer", "authority_admin")
UNIT2_READERS = ("unit_admin_b", "authority_reviewer", "authority_admin")
QUERY_ROLES = ("unit_admin", "unit_admin_b", "authority_reviewer", "authority_reviewer_b", "authority_admin")


def _table(ok: dict[str, int], hidden: tuple[str, ...] = (), api: bool = True) -> dict[str | None, int]:
    table: dict[str | None, int] = {who: 403 for who in CALLERS}
    table.update({who: 404 for who in hidden})
    table.update(ok)
    table[None] = 401 if api else 302
    return table


def _person_table(readers: tuple[str, ...], api: bool = True) -> dict[str | None, int]:
    return _table({who: 200 for who in readers}, tuple(w for w in QUERY_ROLES if w not in readers), api)


@pytest.fixture
def setting(app, api, world) -> dict[str, Any]:
    with app.app_context():
        ids = dict(db.session.execute(select(User.username, User.id).where(User.username.in_([T1, T3]))).all())
    refused = api.as_("unit_admin").post("/people/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(staff_file([["bad", "某人", None, None, None, None]])), "s.xlsx")})
    return {"t1": ids[T1], "t3": ids[T3], "report": int(refused.headers["X-Import-Id"])}


def _state(app) -> tuple[Any, ...]:
    with app.app_context():
        hashes = tuple(db.session.scalars(select(User.password_hash).where(User.username.in_([T1, T3]))
                                          .order_by(User.username)))
        return (db.session.scalar(select(func.count()).select_from(User)),
                db.session.scalar(select(func.count()).select_from(StaffImport)),
                db.session.scalar(select(func.count()).select_from(ProcessEvent).where(
                    ProcessEvent.action.in_(("password_reset", "staff_import", "account_import")))), hashes)


def _check(app, name: str, expected: dict[str | None, int], send: Callable[[str | None], Any]) -> None:
    """Each caller in turn; a refusal leaves the state as the call found it."""
    for who in CALLERS:
        before = _state(app)
        response = send(who)
        response.get_data()
        assert response.status_code == expected[who], (name, who, response.status_code)
        if response.status_code >= 300:
            assert _state(app) == before, (name, who, "a refused call changed something")


def _upload_file(n: int) -> bytes:
    return staff_file(staff_rows(1, start=100 + n))


def _api_routes(s: dict[str, Any]) -> dict[str, tuple[str, str, dict[str | None, int]]]:
    query = _table({who: 200 for who in QUERY_ROLES})
    resets = {"unit_admin": 200, "authority_admin": 200}
    return {
        "query": ("GET", "/people?name=张", query),
        "export": ("GET", "/people/export?name=张", query),
        "person T1": ("GET", f"/people/{s['t1']}", _person_table(UNIT1_READERS)),
        "person T3": ("GET", f"/people/{s['t3']}", _person_table(UNIT2_READERS)),
        "record T1": ("GET", f"/people/{s['t1']}/record", _person_table(UNIT1_READERS)),
        "record T3": ("GET", f"/people/{s['t3']}/record", _person_table(UNIT2_READERS)),
        "reset T1": ("POST", f"/people/{s['t1']}/reset-password",
                     _table(resets, ("unit_admin_b", "authority_reviewer_b"))),
        "reset T3": ("POST", f"/people/{s['t3']}/reset-password",
                     _table({"unit_admin_b": 200, "authority_admin": 200}, ("unit_admin", "authority_reviewer_b"))),
        "template": ("GET", "/people/import/template", _table({"unit_admin": 200, "unit_admin_b": 200})),
        "import": ("UPLOAD", "/people/import", _table({"unit_admin": 201, "unit_admin_b": 201})),
        "report": ("GET", f"/people/import/{s['report']}/report", _table({"unit_admin": 200}, ("unit_admin_b",))),
    }


# The routes with their ids left as placeholders: what the coverage test in test_authorization_matrix reads.
ROUTES = _api_routes({"t1": "{t1}", "t3": "{t3}", "report": "{report}"})
ROUTE_NAMES = ["query", "export", "person T1", "person T3", "record T1", "record T3", "reset T1", "reset T3",
               "template", "import", "report"]


@pytest.mark.parametrize("route", ROUTE_NAMES)
def test_route_by_caller(app, api, setting, route):
    method, path, expected = _api_routes(setting)[route]

    def send(who: str | None) -> Any:
        client = api.as_(who) if who else api.anonymous
        if method == "UPLOAD":
            return client.post(path, content_type="multipart/form-data",
                               data={"file": (io.BytesIO(_upload_file(CALLERS.index(who))), "s.xlsx")})
        return client.request(method, path)
    _check(app, route, expected, send)


def test_an_administrator_cannot_import_into_another_unit(app, api, world, setting):
    before = _state(app)
    for who, unit in (("unit_admin", world.unit2), ("unit_admin_b", world.unit1)):
        response = api.as_(who).post(f"/people/import?org_id={unit}", content_type="multipart/form-data",
                                     data={"file": (io.BytesIO(_upload_file(50)), "s.xlsx")})
        assert response.status_code == 403
    assert _state(app) == before


# -- the pages ------------------------------------------------------------------------------------

def _page_routes(s: dict[str, Any]) -> dict[str, tuple[str, str, dict[str | None, int]]]:
    query = _table({who: 200 for who in QUERY_ROLES}, api=False)
    return {
        "query page": ("GET", "/people?name=张", query),
        "export page": ("GET", "/people/export.xlsx?name=张", query),
        "person page": ("GET", f"/people/{s['t1']}", _person_table(UNIT1_READERS, api=False)),
        "record page": ("GET", f"/people/{s['t3']}/record", _person_table(UNIT2_READERS, api=False)),
        "reset page": ("POST", f"/people/{s['t1']}/reset-password",
                       _table({"unit_admin": 200, "authority_admin": 200}, ("unit_admin_b", "authority_reviewer_b"),
                              api=False)),
        "import page": ("GET", "/people/import", _table({"unit_admin": 200, "unit_admin_b": 200}, api=False)),
        "template page": ("GET", "/people/import/template.xlsx",
                          _table({"unit_admin": 200, "unit_admin_b": 200}, api=False)),
        "upload page": ("UPLOAD", "/people/import", _table({"unit_admin": 200, "unit_admin_b": 200}, api=False)),
        "report page": ("GET", f"/people/import/{s['report']}/report.xlsx",
                        _table({"unit_admin": 200}, ("unit_admin_b",), api=False)),
    }


@pytest.mark.parametrize("page", ["query page", "export page", "person page", "record page", "reset page",
                                  "import page", "template page", "upload page", "report page"])
def test_page_by_caller(app, web, setting, page):
    method, path, expected = _page_routes(setting)[page]
    clients = {who: web(who) for who in CALLERS}

    def send(who: str | None) -> Any:
        client = clients[who]
        if method == "UPLOAD":
            return client.post(path, {"file": (io.BytesIO(_upload_file(20 + CALLERS.index(who))), "s.xlsx")},
                               content_type="multipart/form-data")
        return client.get(path) if method == "GET" else client.post(path, {})
    _check(app, page, expected, send)
