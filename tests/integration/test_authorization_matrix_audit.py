"""Every route of the audit tools x every kind of caller: auditors search, export and verify; process
administrators search, export and read the last verification; everyone else is refused (the API 403,
401 without a token; the pages 403, the login page without a session), and a refusal changes nothing.
Setting: the demo's events and one clean checkpoint."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditCheckpoint
from app.extensions import db
from app.models import ProcessEvent
from tests.support.matrix import call, check_route
from tests.support.world import T1

AUDITOR, PROCESS_ADMIN = "auditor", "process_admin"
CALLERS = [T1, "unit_reviewer", "authority_reviewer", "provider_admin", "hr_reviewer", "course_admin", "admin",
           PROCESS_ADMIN, AUDITOR, None]


def _table(readers: dict[str, int], status: int = 403) -> dict[str | None, int]:
    table = {caller: status for caller in CALLERS}
    table.update(readers)
    table[None] = 401
    return table


READ = _table({AUDITOR: 200, PROCESS_ADMIN: 200})
VERIFY = _table({AUDITOR: 200})

ROUTES = {
    "search": ("GET", "/audit/events?action=submit&limit=5", None, READ, None),
    "export csv": ("GET", "/audit/events.csv?process_key=credit_claim", None, READ, None),
    "export xlsx": ("GET", "/audit/events.xlsx?date_from=2000-01-01", None, READ, None),
    "last verification": ("GET", "/audit/verify", None, READ, None),
    "verify": ("POST", "/audit/verify", {"full": False}, VERIFY, AUDITOR),
}


@pytest.fixture
def checkpointed(api, world):
    for who in CALLERS:  # log everyone in first: a login is an event of its own (token_issue)
        if who:
            api.as_(who)
    assert api.as_(AUDITOR).post("/audit/verify", json={"full": True}).status_code == 200


def _state(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(AuditCheckpoint)),
                db.session.scalar(select(func.count()).select_from(ProcessEvent)))


def _read(response):
    """Read the whole body: a streamed download ends (and lets its request go) when it is read."""
    response.get_data()
    return response


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(app, api, checkpointed, route):
    method, path, body, expected, changer = ROUTES[route]
    check_route(api, route, CALLERS, expected, changer, lambda: _state(app),
                lambda who: _read(call(api, who, method, path, body)))


# -- the pages ------------------------------------------------------------------------------------

PAGE_READ = {**{caller: 403 for caller in CALLERS}, AUDITOR: 200, PROCESS_ADMIN: 200, None: 302}
PAGES = {
    "search page": ("GET", "/audit?actor=张伟", PAGE_READ),
    "export csv page": ("GET", "/audit/events.csv?action=submit", PAGE_READ),
    "export xlsx page": ("GET", "/audit/events.xlsx?action=submit", PAGE_READ),
    "integrity page": ("GET", "/audit/integrity", PAGE_READ),
    "run verification": ("POST", "/audit/integrity", {**PAGE_READ, AUDITOR: 302, PROCESS_ADMIN: 403}),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_by_caller(app, web, checkpointed, page):
    method, path, expected = PAGES[page]
    before = _state(app)
    for who in sorted(CALLERS, key=lambda caller: caller == AUDITOR):
        client = web(who)
        response = _read(client.get(path) if method == "GET" else client.post(path, {"full": "0"}))
        assert response.status_code == expected[who], (page, who)
        if who is None:
            assert "/login" in response.headers["Location"], page
        if who != AUDITOR or method == "GET":
            assert _state(app) == before, (page, who, "a refused call changed something")
    if method == "POST":
        assert _state(app)[0] == before[0] + 1  # the auditor's run: one more checkpoint
