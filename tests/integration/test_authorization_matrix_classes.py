"""Every route of classes and class enrolments x every kind of caller: the expected status, and a
refusal changes nothing.

Setting per case: 演示交通职业培训学院 (``provider_admin``) has a class draft (from a filed
filing of its own), a second filed filing with no class yet, and the demo's open class; in
the open class T1 has a draft enrolment and T2 a submitted one; T3 has none.
"""
from __future__ import annotations

import pytest

from tests.integration.test_class_enrollments import demo_class, enrol, submitted
from tests.integration.test_provider_classes import HIGHWAY, _filed, class_body, make_class
from tests.support.matrix import call, check_route
from tests.support.world import T1, T2, T3

CALLERS = ["provider_admin_b", "supervisor_reviewer", "hr_reviewer", "hr_reviewer_city", "unit_reviewer",
           "process_admin", "auditor", T1, T2, T3, "provider_admin", None]
NAMES = {"owner": "provider_admin", "other": "provider_admin_b", "hr": "hr_reviewer", "admin": "process_admin",
         "auditor": "auditor", "t1": T1, "t2": T2, "t3": T3}


def _all(status: int, **exceptions: int) -> dict[str | None, int]:
    table = {caller: status for caller in CALLERS}
    table.update({NAMES[key]: value for key, value in exceptions.items()})
    table[None] = 401
    return table


READ_DRAFT_CLASS = _all(404, owner=200, admin=200, auditor=200)
CHANGE_DRAFT_CLASS = _all(404, owner=200, admin=403, auditor=403)
TRAINEE_DRAFT = _all(404, t1=200, admin=403, auditor=403)

# name: (method, path, body, expectations, the caller whose call changes the state)
ROUTES = {
    "create class": ("POST", "/classes", "{new_class}", _all(403, owner=201, other=422), "provider_admin"),
    "list classes": ("GET", "/classes", None, _all(200), None),
    "search open classes": ("GET", "/classes?open=true&specialty=公路工程&level=工程师", None, _all(200), None),
    "read class draft": ("GET", "/classes/{class_draft}", None, READ_DRAFT_CLASS, None),
    "read open class": ("GET", "/classes/{class_open}", None, _all(200), None),
    "edit class draft": ("PATCH", "/classes/{class_draft}", {"notes": "改过的说明"}, CHANGE_DRAFT_CLASS,
                         "provider_admin"),
    "edit open class": ("PATCH", "/classes/{class_open}", {"notes": "改过的说明"}, _all(403, owner=409), None),
    "submit class draft": ("POST", "/classes/{class_draft}/submit", None, CHANGE_DRAFT_CLASS, "provider_admin"),
    "open class draft": ("POST", "/classes/{class_draft}/open", None, _all(404, owner=409, admin=403, auditor=403),
                         None),
    "request a change": ("POST", "/classes/{class_open}/change-request", {"reason": "报名截止时间需延后"},
                         _all(403, owner=200), "provider_admin"),
    "delete class draft": ("DELETE", "/classes/{class_draft}", None, CHANGE_DRAFT_CLASS, "provider_admin"),
    "enrol": ("POST", "/class-enrollments", "{new_enrollment}", _all(403, t1=409, t2=409, t3=201), T3),
    "list enrolments": ("GET", "/class-enrollments", None, _all(200), None),
    "list enrolments to review": ("GET", "/class-enrollments?reviewing=true", None, _all(200), None),
    "read enrolment draft": ("GET", "/class-enrollments/{e_draft}", None, _all(404, t1=200, admin=200, auditor=200),
                             None),
    "read submitted enrolment": ("GET", "/class-enrollments/{e_sent}", None,
                                 _all(404, t2=200, owner=200, admin=200, auditor=200), None),
    "edit enrolment draft": ("PATCH", "/class-enrollments/{e_draft}", {"remark": "改过的备注"}, TRAINEE_DRAFT, T1),
    "edit submitted enrolment": ("PATCH", "/class-enrollments/{e_sent}", {"remark": "改过的备注"},
                                 _all(404, t2=409, owner=403, admin=403, auditor=403), None),
    "submit enrolment draft": ("POST", "/class-enrollments/{e_draft}/submit", None, TRAINEE_DRAFT, T1),
    "delete enrolment draft": ("DELETE", "/class-enrollments/{e_draft}", None, TRAINEE_DRAFT, T1),
}


@pytest.fixture
def setting(api, world) -> dict:
    draft = make_class(api)
    spare = _filed(api)
    open_id = demo_class(api)["id"]
    return {"class_draft": draft["id"], "spare_filing": spare, "class_open": open_id,
            "e_draft": enrol(api, T1, open_id)["id"], "e_sent": submitted(api, T2, open_id)["id"]}


def _state(api, ids: dict) -> tuple:
    admin = api.as_("process_admin")
    draft = admin.get(f"/classes/{ids['class_draft']}")
    opened = admin.get(f"/classes/{ids['class_open']}").get_json()
    e_draft = admin.get(f"/class-enrollments/{ids['e_draft']}")
    e_sent = admin.get(f"/class-enrollments/{ids['e_sent']}").get_json()
    classes = api.as_("provider_admin").get("/classes").get_json()["total"]
    mine = api.as_(T3).get("/class-enrollments").get_json()["total"]
    return (draft.status_code, draft.get_json().get("status"), draft.get_json().get("notes"), opened["status"],
            opened["notes"], opened["seats_taken"], e_draft.status_code, e_draft.get_json().get("status"),
            e_draft.get_json().get("remark"), e_sent["status"], e_sent["remark"], classes, mine)


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(api, world, setting, route):
    method, template, body, expected, changer = ROUTES[route]
    if body == "{new_class}":
        body = class_body(setting["spare_filing"])
    elif body == "{new_enrollment}":
        body = {"class_id": setting["class_open"], **HIGHWAY}
    path = template.format(**setting)
    check_route(api, route, CALLERS, expected, changer, lambda: _state(api, setting),
                lambda who: call(api, who, method, path, body))
