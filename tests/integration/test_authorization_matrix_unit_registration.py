"""Every route of unit registrations x every kind of caller: the expected status, and a refusal
changes nothing.

Setting per case: 新单位 registered under 演示市交通运输局 (the city authority) and waits for its review.
The other city authority (建设局), a unit's staff, a trainee and a second applicant are no part of it.
Registering is public: anyone's call registers another unit (each caller with its own details).
"""
from __future__ import annotations

import pytest

from app.domain.credit_code import check_character
from tests.support.matrix import call, check_route
from tests.support.world import PASSWORD, T1

APPLICANT, OTHER_APPLICANT = "matrix_unit", "matrix_unit_b"
CALLERS = [APPLICANT, OTHER_APPLICANT, "authority_reviewer", "authority_admin", "authority_reviewer_b",
           "unit_admin", T1, "process_admin", "auditor", None]


def _all(status: int, **exceptions: int) -> dict[str | None, int]:
    names = {"applicant": APPLICANT, "other_applicant": OTHER_APPLICANT, "reviewer": "authority_reviewer",
             "admin": "authority_admin", "other": "authority_reviewer_b", "unit": "unit_admin", "trainee": T1,
             "process_admin": "process_admin", "auditor": "auditor"}
    table = {caller: status for caller in CALLERS}
    table.update({names[key]: value for key, value in exceptions.items()})
    table[None] = 401
    return table


def _code(n: int) -> str:
    first17 = f"91330100MA2M{n:05d}"
    return first17 + check_character(first17)


def _details(n: int, username: str, world) -> dict:
    return {"name": f"矩阵测试单位{n}", "unit_type": "机关", "industry": "公共管理", "credit_code": _code(n),
            "parent_id": world.city, "username": username, "admin_name": "钱立", "phone": "13900000002",
            "password": PASSWORD}


# name: (method, path, body, expectations, the caller whose call changes the state)
ROUTES = {
    "register a unit": ("POST", "/units", "{registration}", {**_all(201), None: 201}, "all"),
    "read a registration": ("GET", "/unit-registrations/{registration}", None,
                            _all(404, applicant=200, reviewer=200, admin=200, process_admin=200, auditor=200), None),
    # only an applicant whose registrations were all refused: here both applicants' wait, the rest hold roles
    "register again": ("POST", "/unit-registrations", "{details}", _all(409, process_admin=403, auditor=403),
                       None),
    "review a registration": ("POST", "/tasks/{task}/complete", {"decision": "reject", "comment": "材料不全"},
                              _all(403, reviewer=200), "authority_reviewer"),
}


@pytest.fixture
def setting(api, world) -> dict[str, int]:
    made = [api.anonymous.post("/units", json=_details(n, name, world))
            for n, name in ((1, APPLICANT), (2, OTHER_APPLICANT))]
    assert all(r.status_code == 201 for r in made), [r.get_json() for r in made]
    registration = made[0].get_json()["id"]
    task = api.task_for("authority_reviewer", registration, "unit_registration")
    return {"registration": registration, "task": task["id"]}


def _state(api, ids: dict[str, int]) -> tuple:
    reg = api.as_("process_admin").get(f"/unit-registrations/{ids['registration']}").get_json()
    return reg["status"], reg["refusal_reason"]


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(api, world, setting, route):
    method, template, body, expected, changer = ROUTES[route]
    path = template.format(**setting)
    counter = iter(range(10, 100))

    def send(who):
        sent = _details(next(counter), f"matrix_new_{next(counter)}", world) if body == "{registration}" else body
        if body == "{details}":
            sent = {key: value for key, value in _details(next(counter), "-", world).items()
                    if key in ("name", "unit_type", "industry", "credit_code", "parent_id")}
        return call(api, who, method, path, sent)
    # The city's administrator reviews like its reviewer (one of them decides; the other then gets 409).
    callers = [c for c in CALLERS if c != "authority_admin"] if route == "review a registration" else CALLERS
    check_route(api, route, callers, expected, changer, lambda: _state(api, setting), send)


def test_the_authoritys_administrator_reviews_too(api, setting):
    response = api.as_("authority_admin").post(f"/tasks/{setting['task']}/complete", json={"decision": "approve"})
    assert response.status_code == 200 and _state(api, setting) == ("approved", None)
