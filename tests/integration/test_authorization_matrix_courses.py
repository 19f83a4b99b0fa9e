"""Every route of the online courses x every kind of caller: the expected status, and a refusal
changes nothing. Setting: T1 has one course in 我的课程 with a study session open; T2 has none; the
course administrator (课程管理员) alone manages categories and courses."""
from __future__ import annotations

import io

import pytest

from app.courses.models import Course, CourseCategory, CourseEvent
from app.extensions import db
from tests.integration.test_course_admin import WEBM
from tests.support.courses import make_catalogue
from tests.support.matrix import call, check_route
from tests.support.world import T1, T2

CA = "course_admin"
CALLERS = ["unit_reviewer", "provider_admin", "hr_reviewer", "process_admin", "auditor", "admin", CA, T2, T1, None]


def _all(status: int, **exceptions: int) -> dict[str | None, int]:
    table = {caller: status for caller in CALLERS}
    table.update({{"t1": T1, "t2": T2, "ca": CA}[key]: value for key, value in exceptions.items()})
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
    # course administration
    "admin: categories": ("GET", "/admin/course-categories", None, _all(403, ca=200), None),
    "admin: new category": ("POST", "/admin/course-categories", {"name": "水运工程", "subject": "professional"},
                            _all(403, ca=201), CA),
    "admin: edit category": ("PATCH", "/admin/course-categories/{category}", {"name": "交通运输（综合）"},
                             _all(403, ca=200), CA),
    "admin: courses": ("GET", "/admin/courses", None, _all(403, ca=200), None),
    "admin: new course": ("POST", "/admin/courses", "{new}", _all(403, ca=201), CA),
    "admin: a course": ("GET", "/admin/courses/{course}", None, _all(403, ca=200), None),
    "admin: edit course": ("PATCH", "/admin/courses/{course}", {"title": "交通强国建设纲要解读（新）"},
                           _all(403, ca=200), CA),
    "admin: unpublish": ("POST", "/admin/courses/{course}/publish", {"active": False}, _all(403, ca=200), CA),
    "admin: upload media": ("UPLOAD", "/admin/courses/{course}/media", None, _all(403, ca=200), CA),
    "admin: read media": ("GET", "/admin/courses/{course}/media", None, _all(403, ca=200), None),
    "admin: events": ("GET", "/admin/course-events", None, _all(403, ca=200), None),
}


@pytest.fixture
def setting(api, app, world) -> dict:
    ids = make_catalogue(app)
    course = ids["交通强国建设纲要解读"]
    api.as_(T1).post("/me/courses", json={"course_ids": [course]})
    session = api.as_(T1).post(f"/me/courses/{course}/start").get_json()["session"]
    return {"course": course, "other": ids["公路路线设计规范要点"], "session": session,
            "category": ids["交通运输"], "planning": ids["规划与设计"]}


def _state(api, ids: dict) -> tuple:
    mine = api.as_(T1).get("/me/courses").get_json()["items"]
    return tuple((i["course"]["id"], i["studied_seconds"]) for i in mine)


def _catalogue_state(app) -> tuple:
    """Everything a course administrator can change, and the log of their changes."""
    with app.app_context():
        return (tuple(db.session.execute(db.select(CourseCategory.id, CourseCategory.name, CourseCategory.parent_id,
                                                   CourseCategory.active).order_by(CourseCategory.id))),
                tuple(db.session.execute(db.select(Course.id, Course.title, Course.hours, Course.active,
                                                   Course.media_key).order_by(Course.id))),
                db.session.scalar(db.select(db.func.count(CourseEvent.id))))


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(api, app, world, setting, route):
    method, template, body, expected, changer = ROUTES[route]
    if body == "{add}":
        body = {"course_ids": [setting["other"]]}
    elif body == "{beat}":
        body = {"session": setting["session"], "seq": 1}
    elif body == "{new}":
        body = {"title": "隧道施工安全管理", "category_id": setting["planning"], "duration_minutes": 30, "hours": "1.0"}
    path = template.format(**setting)
    if route.startswith("admin:"):
        state = lambda: _catalogue_state(app)  # noqa: E731
    else:
        state = (lambda: _state(api, setting)) if route != "add courses" else (lambda: None)

    def send(who: str | None):
        if method == "UPLOAD":  # a course's media is a video, not the matrix's usual PNG
            client = api.as_(who) if who else api.anonymous
            return client.post(path, content_type="multipart/form-data", data={"file": (io.BytesIO(WEBM), "v.webm")})
        return call(api, who, method, path, body)
    check_route(api, route, CALLERS, expected, changer, state, send)
