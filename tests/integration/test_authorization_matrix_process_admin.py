"""Every process-administration route x every kind of caller: only process administrators may;
a refusal changes nothing. Setting: a claim waits at the unit's review on v1 of the credit claim;
v2 (a second unit review) is published; one draft exists."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ProcessDefinition, ProcessEvent, ProcessInstance
from tests.support.diagrams import credit_claim_second_unit_review, shipped
from tests.support.matrix import check_route
from tests.support.world import T1

CALLERS = ["unit_reviewer", "authority_reviewer", "provider_admin", "hr_reviewer", "auditor", T1,
           "process_admin", None]


def _only_admin(status: int) -> dict[str | None, int]:
    table: dict[str | None, int] = {caller: 403 for caller in CALLERS}
    table[None] = 401
    table["process_admin"] = status
    return table


ROUTES = {
    "list": ("GET", "/process-definitions", None, _only_admin(200), None),
    "create draft": ("POST", "/process-definitions", "xml", _only_admin(201), "process_admin"),
    "read": ("GET", "/process-definitions/{v1}", None, _only_admin(200), None),
    "replace draft": ("PUT", "/process-definitions/{draft}", "xml", _only_admin(200), "process_admin"),
    "delete draft": ("DELETE", "/process-definitions/{draft}", None, _only_admin(204), "process_admin"),
    "download": ("GET", "/process-definitions/{v1}/bpmn", None, _only_admin(200), None),
    "validate": ("POST", "/process-definitions/{draft}/validate", None, _only_admin(200), None),
    "publish": ("POST", "/process-definitions/{draft}/publish", None, _only_admin(201), "process_admin"),
    "diff": ("GET", "/process-definitions/diff?from={v1}&to={v2}", None, _only_admin(200), None),
    "migrate (dry run)": ("POST", "/migrations", {"from": "{v1}", "to": "{v2}"}, _only_admin(200), None),
    "suspend": ("POST", "/process-instances/{instance}/suspend", {}, _only_admin(200), "process_admin"),
    "resume": ("POST", "/process-instances/{instance}/resume", {}, _only_admin(409), None),
    "retry": ("POST", "/process-instances/{instance}/retry", None, _only_admin(200), "process_admin"),
    "stuck": ("GET", "/process-instances/stuck", None, _only_admin(200), None),
}


@pytest.fixture
def setting(api) -> dict:
    claim = api.submitted_claim(T1)
    admin = api.as_("process_admin")
    groups = admin.get("/process-definitions").get_json()["items"]
    v1 = next(v["id"] for g in groups if g["process_key"] == "credit_claim" for v in g["versions"])
    v2 = admin.post("/process-definitions", data=credit_claim_second_unit_review(),
                    content_type="application/xml").get_json()["id"]
    assert admin.post(f"/process-definitions/{v2}/publish").status_code == 201
    draft = admin.post("/process-definitions", data=shipped("credit_claim").replace(b"\n", b"\n\n", 1),
                       content_type="application/xml").get_json()["id"]
    for who in CALLERS:  # log everyone in first: a login is an event of its own (token_issue)
        if who:
            api.as_(who)
    return {"v1": v1, "v2": v2, "draft": draft, "instance": claim["instance_id"]}


def _state(app) -> tuple:
    with app.app_context():
        return (db.session.scalar(select(func.count(ProcessDefinition.id))),
                tuple(db.session.scalars(select(ProcessDefinition.status).order_by(ProcessDefinition.id))),
                tuple(db.session.execute(select(ProcessInstance.id, ProcessInstance.suspended,
                                                ProcessInstance.definition_id)).all()),
                db.session.scalar(select(func.count(ProcessEvent.id))))


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(api, app, setting, route):
    method, template, body, expected, changer = ROUTES[route]
    path = template.format(**setting)

    def send(who):
        client = api.as_(who) if who else api.anonymous
        if body == "xml":
            return client.request(method, path, data=shipped("credit_claim"), content_type="application/xml")
        if isinstance(body, dict):
            payload = {k: int(v.format(**setting)) if isinstance(v, str) else v for k, v in body.items()}
            return client.request(method, path, json=payload)
        return client.request(method, path)
    check_route(api, route, CALLERS, expected, changer, lambda: _state(app), send)
