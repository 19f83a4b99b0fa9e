"""Every API route x every role, on records of each owner: the expected status, and a refusal
changes nothing.

Setting per case: the owner's claim (with a proof) is waiting for their unit's review; the
owner has an approved enrolment for this year. Roles are named relative to the owner:
``owner`` / ``other_trainee``, ``own_unit`` / ``other_unit`` reviewers, ``authority``,
``process_admin``, ``auditor``, ``anonymous``. A role whose call would change the state
is tried last, after every refusal was checked to leave the state alone.
"""
from __future__ import annotations

import re
from datetime import date

import pytest

from tests.support.files import png
from tests.support.world import T1, T3

PEOPLE = {  # owner -> role -> username
    T1: {"owner": T1, "other_trainee": T3, "own_unit": "unit_reviewer", "other_unit": "unit_reviewer_b"},
    T3: {"owner": T3, "other_trainee": T1, "own_unit": "unit_reviewer_b", "other_unit": "unit_reviewer"},
}
COMMON = {"authority": "authority_reviewer", "process_admin": "process_admin", "auditor": "auditor",
          "anonymous": None}
ROLES = ["owner", "other_trainee", "own_unit", "other_unit", "authority", "process_admin", "auditor",
         "anonymous"]

READ_CLAIM = dict(owner=200, other_trainee=404, own_unit=200, other_unit=404, authority=200,
                  process_admin=200, auditor=200, anonymous=401)
CHANGE_CLAIM = dict(owner=409, other_trainee=404, own_unit=403, other_unit=404, authority=403,
                    process_admin=403, auditor=403, anonymous=401)
TASK = dict(owner=403, other_trainee=403, own_unit=200, other_unit=403, authority=403,
            process_admin=403, auditor=403, anonymous=401)
ADMIN_ONLY = dict(owner=403, other_trainee=403, own_unit=403, other_unit=403, authority=403,
                  process_admin=200, auditor=200, anonymous=401)
READ_ENROLMENT = dict(owner=200, other_trainee=404, own_unit=200, other_unit=404, authority=404,
                      process_admin=200, auditor=200, anonymous=401)
CHANGE_ENROLMENT = dict(owner=409, other_trainee=404, own_unit=403, other_unit=404, authority=404,
                        process_admin=403, auditor=403, anonymous=401)
ANY_LOGGED_IN = {role: (401 if role == "anonymous" else 200) for role in ROLES}
TRAINEES_ONLY = dict(owner=201, other_trainee=201, own_unit=403, other_unit=403, authority=403,
                     process_admin=403, auditor=403, anonymous=401)
ENROL_AGAIN = dict(owner=409, other_trainee=409, own_unit=403, other_unit=403, authority=403,
                   process_admin=403, auditor=403, anonymous=401)

CLAIM_BODY = {"year": date.today().year, "route": "training", "title": "培训", "details": {"days": 1},
              "hours_requested": 1}
ENROL_BODY = {"year": date.today().year, "unit_id": 1, "identity_type": "国有企业", "political_status": "群众",
              "education": "大学本科", "title": "工程师", "specialty": "公路工程"}

# name: (method, path, body, expectations, role whose call changes the state, or None)
ROUTES = {
    "read claim": ("GET", "/claims/{claim}", None, READ_CLAIM, None),
    "edit claim": ("PATCH", "/claims/{claim}", {"title": "改"}, CHANGE_CLAIM, None),
    "delete claim": ("DELETE", "/claims/{claim}", None, CHANGE_CLAIM, None),
    "submit claim": ("POST", "/claims/{claim}/submit", None, CHANGE_CLAIM, None),
    "withdraw claim": ("POST", "/claims/{claim}/withdraw", None, {**CHANGE_CLAIM, "owner": 200}, "owner"),
    "upload proof": ("UPLOAD", "/claims/{claim}/files", None, CHANGE_CLAIM, None),
    "read claim log": ("GET", "/claims/{claim}/log", None, READ_CLAIM, None),
    "read proof": ("GET", "/claims/{claim}/files/{file}", None, READ_CLAIM, None),
    "remove proof": ("DELETE", "/claims/{claim}/files/{file}", None, CHANGE_CLAIM, None),
    "read task": ("GET", "/tasks/{task}", None, TASK, None),
    "take task": ("POST", "/tasks/{task}/take", None, TASK, "own_unit"),
    "release task": ("POST", "/tasks/{task}/release", None, TASK, None),
    "take task (old path)": ("POST", "/tasks/{task}/claim", None, TASK, "own_unit"),
    "release task (old path)": ("POST", "/tasks/{task}/unclaim", None, TASK, None),
    "complete task": ("POST", "/tasks/{task}/complete", {"decision": "approve"}, TASK, "own_unit"),
    "batch": ("POST", "/tasks/batch", {"task_ids": ["{task}"], "decision": "approve"}, ANY_LOGGED_IN, "own_unit"),
    "read instance": ("GET", "/process-instances/{instance}", None, ADMIN_ONLY, None),
    "read events": ("GET", "/process-instances/{instance}/events", None, ADMIN_ONLY, None),
    "read enrolment": ("GET", "/enrollments/{enrollment}", None, READ_ENROLMENT, None),
    "edit enrolment": ("PATCH", "/enrollments/{enrollment}", {"specialty": "桥梁"}, CHANGE_ENROLMENT, None),
    "resubmit enrolment": ("POST", "/enrollments/{enrollment}/submit", None, CHANGE_ENROLMENT, None),
    "list my claims": ("GET", "/claims", None, ANY_LOGGED_IN, None),
    "list my enrolments": ("GET", "/enrollments", None, ANY_LOGGED_IN, None),
    "list my tasks": ("GET", "/tasks", None, ANY_LOGGED_IN, None),
    "my hours": ("GET", "/me/hours", None, ANY_LOGGED_IN, None),
    "create claim": ("POST", "/claims", CLAIM_BODY, TRAINEES_ONLY, "all"),
    "enrol again": ("POST", "/enrollments", ENROL_BODY, ENROL_AGAIN, None),
}


def _setting(api, owner):
    draft = api.new_claim(owner)
    upload = api.as_(owner).upload(draft["id"], png(), "proof.png")
    assert upload.status_code == 201
    assert api.as_(owner).post(f"/claims/{draft['id']}/submit").status_code == 200
    claim = api.claim(owner, draft["id"])
    task = api.task_for(PEOPLE[owner]["own_unit"], claim["id"])
    enrollment = api.as_(owner).get("/enrollments").get_json()["items"][0]
    ids = {"claim": claim["id"], "file": upload.get_json()["id"], "task": task["id"],
           "instance": claim["instance_id"], "enrollment": enrollment["id"]}
    return ids


def _state(api, owner, ids):
    claim = api.claim(owner, ids["claim"])
    return (claim["status"], claim["title"], len(claim["files"]),
            api.as_(owner).get(f"/enrollments/{ids['enrollment']}").get_json()["specialty"])


def _fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _call(api, username, method, path, body):
    client = api.as_(username) if username else api.anonymous
    if method == "UPLOAD":
        return client.upload(int(path.split("/")[2]), png(), "more.png")
    return client.request(method, path, json=body) if body is not None else client.request(method, path)


@pytest.mark.parametrize("owner", [T1, T3])
@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_role(api, route, owner):
    method, template, body, expected, changer = ROUTES[route]
    ids = _setting(api, owner)
    if route == "enrol again":
        body = {**body, "unit_id": api.world.unit1}
    people = {**PEOPLE[owner], **COMMON}
    order = sorted(ROLES, key=lambda role: role == changer)  # the one that changes things goes last
    before = _state(api, owner, ids)
    for role in order:
        response = _call(api, people[role], method, template.format(**ids), _fill(body, ids))
        assert response.status_code == expected[role], (route, role, response.get_json())
        if response.status_code >= 400:
            assert "error" in response.get_json(), (route, role)
        if route == "batch" and response.status_code == 200:
            item = response.get_json()["results"][0]
            assert item["status"] == (200 if role == "own_unit" else 403), (role, item)
        if role != changer and changer != "all":
            assert _state(api, owner, ids) == before, (route, role, "a refused call changed something")


# Routes about the caller, not about anyone's records: tested in test_auth.py.
SELF_ROUTES = {("POST", "/auth/token"), ("POST", "/auth/register"), ("POST", "/auth/password"),
               ("POST", "/auth/logout"), ("GET", "/me"), ("GET", "/openapi.json")}


def test_the_matrix_covers_every_api_route(app):
    def shape(path):
        return re.sub(r"<[^>]+>|\{[^}]+\}", "*", path)
    served = {(method, shape(rule.rule.removeprefix("/api/v1"))) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") for method in rule.methods - {"HEAD", "OPTIONS"}}
    from tests.integration import test_authorization_matrix_classes as class_matrix
    from tests.integration import test_authorization_matrix_courses as course_matrix
    from tests.integration import test_authorization_matrix_declarations as declaration_matrix
    from tests.integration import test_authorization_matrix_org as org_matrix
    from tests.integration import test_authorization_matrix_postfilings as postfiling_matrix
    from tests.integration import test_authorization_matrix_providers as provider_matrix

    tables = (*ROUTES.values(), *org_matrix.ROUTES.values(), *provider_matrix.ROUTES.values(),
              *class_matrix.ROUTES.values(), *postfiling_matrix.ROUTES.values(), *course_matrix.ROUTES.values(),
              *declaration_matrix.ROUTES.values())
    covered = {("POST" if method in ("UPLOAD", "XLSX") else method, shape(path.split("?")[0]))
               for method, path, *_ in tables}
    assert served - covered - {(m, shape(p)) for m, p in SELF_ROUTES} == set()
