"""Every route of the yearly windows and policy (API and page) x every kind of caller: only the city
authority's administrator sets the city's settings (a unit's administrator, a reviewer, a trainee,
the other authority's administrator, the global roles: 403), a refusal changes nothing, and each
sees the settings in force only for their own organisation or their authority's subtree."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Organisation, ProcessEvent
from app.models.policy import YearSetting
from tests.support.matrix import check_route
from tests.support.people import make_user
from tests.support.web import logged_in
from tests.support.world import T1, T3

OTHER = "city_b_admin"  # administrator of the other authority (演示市建设局)
CALLERS = ["unit_admin", "unit_reviewer", "authority_reviewer", T1, T3, OTHER, "auditor", "process_admin",
           "authority_admin", None]
BODY = {"claim_opens_on": "{y}-03-01", "claim_closes_on": "{y}-11-30", "total_hours": 100,
        "professional_hours": 70, "public_hours": 20}


def _all(status: int, **exceptions: int) -> dict[str | None, int]:
    names = {"admin": "authority_admin", "other": OTHER, "t1": T1, "t3": T3, "unit_admin": "unit_admin",
             "unit_reviewer": "unit_reviewer", "reviewer": "authority_reviewer", "auditor": "auditor",
             "process_admin": "process_admin"}
    table = {caller: status for caller in CALLERS}
    table.update({names[key]: value for key, value in exceptions.items()})
    table[None] = 401
    return table


READERS_OF_UNIT1 = dict(admin=200, reviewer=200, unit_admin=200, unit_reviewer=200, t1=200, auditor=200,
                        process_admin=200)
ROUTES = {
    "mine": ("GET", "/windows/{y}", None, _all(200), None),
    "a unit of the city": ("GET", "/windows/{y}?org={unit1}", None, _all(403, **READERS_OF_UNIT1), None),
    "a unit of the other authority": ("GET", "/windows/{y}?org={unit_b}", None,
                                      _all(403, other=200, auditor=200, process_admin=200), None),
    # (the other authority's administrator sets their own: "set the other authority's")
    "set (my authority)": ("PUT", "/windows/{y}", BODY, _all(403, admin=200), "authority_admin"),
    "set the city's": ("PUT", "/windows/{y}", {**BODY, "org_id": "{city}"}, _all(403, admin=200),
                       "authority_admin"),
    "set the other authority's": ("PUT", "/windows/{y}", {**BODY, "org_id": "{city_b}"}, _all(403, other=200),
                                  OTHER),
}
PAGES = {
    "page": ("GET", "/admin/windows", _all(403, admin=200, other=200), None),
    "page: the other authority": ("GET", "/admin/windows?org={city_b}", _all(403, other=200), None),
    "page: save": ("POST", "/admin/windows?org={city}", _all(403, admin=302), "authority_admin"),
}


@pytest.fixture
def setting(app, api, world) -> dict:
    make_user(app, OTHER, "建设局管理员", roles=[("admin", world.city_b)])
    with app.app_context():
        unit = Organisation(name="演示建设工程公司", kind="unit", parent_id=world.city_b)
        db.session.add(unit)
        db.session.commit()
        unit_b = unit.id
    from app.clock import today
    with app.app_context():
        year = today().year
    for who in CALLERS:  # log everyone in first: a login is an event of its own
        if who:
            api.as_(who)
    return {"y": year, "unit1": world.unit1, "unit_b": unit_b, "city": world.city, "city_b": world.city_b}


def _state(app) -> tuple:
    with app.app_context():
        settings = db.session.execute(select(YearSetting.org_id, YearSetting.year, YearSetting.claim_opens_on,
                                             YearSetting.total_hours).order_by(YearSetting.id)).all()
        events = db.session.scalars(select(ProcessEvent.id).where(
            ProcessEvent.record_type.in_(("window", "policy")))).all()
        return tuple(settings), tuple(events)


def _fill(value, setting: dict):
    if isinstance(value, str):
        text = value.format(**setting)
        return int(text) if text.isdigit() else text
    return value


@pytest.mark.parametrize("route", list(ROUTES))
def test_api_route_by_caller(api, app, setting, route):
    method, template, body, expected, changer = ROUTES[route]
    path = template.format(**setting)
    payload = {k: _fill(v, setting) for k, v in body.items()} if body is not None else None

    def send(who):
        client = api.as_(who) if who else api.anonymous
        return client.request(method, path, json=payload) if payload is not None else client.request(method, path)

    callers = [c for c in CALLERS if not (route == "set (my authority)" and c == OTHER)]
    check_route(api, route, callers, expected, changer, lambda: _state(app), send)


@pytest.mark.parametrize("route", list(PAGES))
def test_page_by_caller(app, setting, route):
    method, template, expected, changer = PAGES[route]
    path = template.format(**setting)
    form = {"claim_opens_on": f"{setting['y']}-03-01", "claim_closes_on": f"{setting['y']}-11-30",
            "total_hours": "100", "professional_hours": "70", "public_hours": "20"}
    before = _state(app)
    for who in sorted(CALLERS, key=lambda caller: caller == changer):
        if who is None:
            client = app.test_client()
            response = client.get(path) if method == "GET" else client.post(path, data=form)
            assert response.status_code == 302, route  # to the login page (a POST: first the CSRF check)
            assert method == "POST" or "/login" in response.headers["Location"], route
            assert _state(app) == before, route
            continue
        client = logged_in(app, who)
        response = client.get(path) if method == "GET" else client.post(path, form)
        assert response.status_code == expected[who], (route, who, response.status_code)
        if who != changer:
            assert _state(app) == before, (route, who, "a refused call changed something")
    if changer:
        assert _state(app) != before
