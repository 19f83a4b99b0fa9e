"""Every page of process administration (/admin/processes, blueprint ``process_admin_pages``) x every
kind of caller: only process administrators open them or post to them; anyone else logged in gets 403
and an anonymous caller is sent to the login page, and a refused call changes nothing.

Every POST carries a valid CSRF token of the caller's own session (the web client reads it from the
last page it fetched), so what refuses it is the role check, not the CSRF check (which would answer
400 or send the page back where it came from, never 403 nor to the login page).

Setting: v1 and v2 of the credit claim are published; a draft (publishable, unlike v2) exists; one
claim waits at the unit's review on v1, one is suspended, one has an engine error.
``test_the_matrix_covers_every_page_route`` reads the blueprint's rules from the app's url_map: a new
page without a row here fails it."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import HumanTask, ProcessDefinition, ProcessEvent, ProcessInstance
from tests.support.diagrams import credit_claim_second_unit_review
from tests.support.world import T1

ADMIN = "process_admin"
CALLERS = [None, T1, "unit_reviewer", "auditor", "admin", ADMIN]
BLUEPRINT = "process_admin_pages"
BASE = "/admin/processes"
XML = {"content_type": "application/xml"}


def _draft_content() -> bytes:
    """v2 with a blank line more: another content, so publishing it makes v3."""
    return credit_claim_second_unit_review().replace(b"\n", b"\n\n", 1)


def _upload(_setting: dict) -> dict:
    return {"file": (io.BytesIO(_draft_content()), "credit_claim.bpmn")}


def _diagram(_setting: dict) -> dict:
    return {"bpmn": _draft_content().replace(b"\n", b"\n\n\n", 1).decode("utf-8")}


# name: (method, path, form (or a function of the setting giving it), the administrator's status,
#        True if the administrator's call changes the state)
ROUTES = {
    "versions": ("GET", "", None, 200, False),
    "upload": ("POST", "/upload", _upload, 302, True),
    "show": ("GET", "/{v1}", None, 200, False),
    "download": ("GET", "/{v1}/bpmn", None, 200, False),
    "new draft": ("POST", "/{v1}/draft", {}, 302, True),
    "editor": ("GET", "/{draft}/edit", None, 200, False),
    "save": ("POST", "/{draft}/save", _diagram, 200, True),
    "check": ("POST", "/{draft}/check", _diagram, 200, False),
    "report": ("GET", "/{draft}/report", None, 200, False),
    "publish": ("POST", "/{draft}/publish", {}, 302, True),
    "delete": ("POST", "/{draft}/delete", {}, 302, True),
    "diff": ("GET", "/diff?from={v1}&to={v2}", None, 200, False),
    "migrate (dry run)": ("GET", "/{v1}/migrate?to={v2}", None, 200, False),
    "migrate": ("POST", "/{v1}/migrate", lambda s: {"to": str(s["v2"]), "instance": str(s["waiting"])}, 200, True),
    "held instances": ("GET", "/instances", None, 200, False),
    "suspend": ("POST", "/instances/{waiting}/suspend", {"comment": "核查"}, 302, True),
    "resume": ("POST", "/instances/{suspended}/resume", {}, 302, True),
    "retry": ("POST", "/instances/{failed}/retry", {}, 302, True),
}


@pytest.fixture
def setting(api, app, web) -> dict:
    admin = api.as_(ADMIN)
    groups = admin.get("/process-definitions").get_json()["items"]
    v1 = next(v["id"] for g in groups if g["process_key"] == "credit_claim" for v in g["versions"]
              if v["version"] == 1)
    waiting, suspended, failed = (api.submitted_claim(T1)["instance_id"] for _ in range(3))
    v2 = admin.post("/process-definitions", data=credit_claim_second_unit_review(), **XML).get_json()["id"]
    assert admin.post(f"/process-definitions/{v2}/publish").status_code == 201
    draft = admin.post("/process-definitions", data=_draft_content(), **XML).get_json()
    assert draft["problems"] == [], draft["problems"]
    assert admin.post(f"/process-instances/{suspended}/suspend").status_code == 200
    with app.app_context():
        db.session.execute(db.update(ProcessInstance).where(ProcessInstance.id == failed)
                           .values(error="ServiceTaskError: the ledger was away"))
        db.session.commit()
    clients = {who: web(who) for who in CALLERS}  # logged in before the state is read
    clients[None].get("/login")  # an anonymous session's CSRF token, from the login page's form
    return {"v1": v1, "v2": v2, "draft": draft["id"], "waiting": waiting, "suspended": suspended,
            "failed": failed, "clients": clients}


def _state(app) -> tuple:
    with app.app_context():
        state = (db.session.scalar(select(func.count(ProcessDefinition.id))),
                 tuple(db.session.execute(select(ProcessDefinition.id, ProcessDefinition.status,
                                                 ProcessDefinition.version, ProcessDefinition.content_hash)
                                          .order_by(ProcessDefinition.id)).all()),
                 tuple(db.session.execute(select(ProcessInstance.id, ProcessInstance.suspended,
                                                 ProcessInstance.definition_id, ProcessInstance.error)
                                          .order_by(ProcessInstance.id)).all()),
                 tuple(db.session.execute(select(HumanTask.id, HumanTask.status).order_by(HumanTask.id)).all()),
                 db.session.scalar(select(func.count(ProcessEvent.id))))
        db.session.remove()
        return state


def _send(client, method: str, path: str, form) -> object:
    if method == "GET":
        response = client.get(path)
    else:
        multipart = isinstance(form, dict) and any(isinstance(v, tuple) for v in form.values())
        response = client.post(path, form, **({"content_type": "multipart/form-data"} if multipart else {}))
    response.get_data()  # read it all (a download is streamed)
    return response


@pytest.mark.parametrize("route", list(ROUTES))
def test_page_by_caller(app, setting, route):
    method, template, form, admin_status, changes = ROUTES[route]
    path = BASE + template.format(**setting)
    before = _state(app)
    for who in CALLERS:  # the administrator is last
        client = setting["clients"][who]
        body = form(setting) if callable(form) else form
        if method == "POST":
            assert client.token, (route, who, "no CSRF token: the refusal would prove nothing")
        response = _send(client, method, path, body)
        if who is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"], (route, response)
        elif who != ADMIN:
            assert response.status_code == 403, (route, who, response.status_code)
        else:
            assert response.status_code == admin_status, (route, response.status_code,
                                                          response.get_data(as_text=True)[:500])
            if response.status_code == 302:
                assert "/login" not in response.headers["Location"], route
            assert (_state(app) != before) == changes, (route, "the administrator's call changed "
                                                        + ("nothing" if changes else "something"))
            continue
        assert _state(app) == before, (route, who, "a refused call changed something")


ANY = re.compile(r"<any\(([^)]*)\):[^>]+>")
PARAM = re.compile(r"<[^>]+>|\{[^}]+\}")


def _shapes(rule: str) -> list[str]:
    """The rule's path with every id as ``*``; an ``any(a, b)`` part gives a path per choice."""
    found = ANY.search(rule)
    if found:
        return [shape for choice in found.group(1).split(",")
                for shape in _shapes(rule[:found.start()] + choice.strip().strip("'\"") + rule[found.end():])]
    return [PARAM.sub("*", rule)]


def test_the_matrix_covers_every_page_route(app):
    served = {(method, shape) for rule in app.url_map.iter_rules() if rule.endpoint.startswith(BLUEPRINT + ".")
              for method in rule.methods - {"HEAD", "OPTIONS"} for shape in _shapes(rule.rule)}
    assert len(served) >= 18  # the blueprint was found (and its any() rule expanded)
    covered = {(method, PARAM.sub("*", (BASE + path).split("?")[0])) for method, path, *_ in ROUTES.values()}
    assert served - covered == set(), "page routes with no row in ROUTES"
    assert covered - served == set(), "rows in ROUTES that no page route serves"
