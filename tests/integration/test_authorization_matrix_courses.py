"""Every route of the online courses x every kind of caller: the expected status, and a refusal
changes nothing. Setting: T1 has one course in 我的课程 with a study session open; T2 has none."""
from __future__ import annotations

import pytest

from tests.support.courses import make_catalogue
from tests.support.matrix import call, check_route
from tests.support.world import T1, T2

CALLERS = ["unit_reviewer", "provider_admin", "hr_reviewer", "process_admin", "auditor", T2, T1, None]


def _all(status: int, **exceptions: int) -> dict[str | None, int]:
    table = {caller: status for caller in CALLERS}
    table.update({{"t1": T1, "t2": T2}[key]: value for key, value in exceptions.items()})
    table[None] = 401
    return table


ROUTES = {
    "categories": ("GET", "/course-categories", None, _all(200), None),
    "catalogue": ("GET", "/courses?sort=hours&order=desc", None, _all(200), None),
    "my courses": ("GET", "/me/courses?tab=all", None, _all(200), None),
    "add courses": ("POST", "/me/courses", "{add}", _all(403, t1=200, t2=200), None),
    "start studying": ("POST", "/me/courses/{course}/start", None, _all(403, t1=200, t2=404), T1),
    "heartbeat": ("POST", "/me/courses/{course}/heartbeat", "{beat}", _all(403, t1=200, t2=404), T1),
    "remove a course": ("DELETE", "/me/courses/{course}", None, _all(404, t1=200), T1),
}


@pytest.fixture
def setting(api, app, world) -> dict:
    ids = make_catalogue(app)
    course = ids["交通强国建设纲要解读"]
    api.as_(T1).post("/me/courses", json={"course_ids": [course]})
    session = api.as_(T1).post(f"/me/courses/{course}/start").get_json()["session"]
    return {"course": course, "other": ids["公路路线设计规范要点"], "session": session}


def _state(api, ids: dict) -> tuple:
    mine = api.as_(T1).get("/me/courses").get_json()["items"]
    return tuple((i["course"]["id"], i["studied_seconds"]) for i in mine)


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(api, world, setting, route):
    method, template, body, expected, changer = ROUTES[route]
    if body == "{add}":
        body = {"course_ids": [setting["other"]]}
    elif body == "{beat}":
        body = {"session": setting["session"], "seq": 1}
    path = template.format(**setting)
    state = (lambda: _state(api, setting)) if route != "add courses" else (lambda: None)
    check_route(api, route, CALLERS, expected, changer, state, lambda who: call(api, who, method, path, body))
