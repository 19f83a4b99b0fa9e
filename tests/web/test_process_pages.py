"""The process pages: instance list for admins/auditors, diagram + event log per instance."""
from __future__ import annotations

import json
import re

from sqlalchemy import select

from app.extensions import db
from app.models import ProcessInstance, User
from app.processes.enrollment.models import Enrollment
from app.web.processes import view
from tests.support.world import T1, T2, T3

STATE = re.compile(r'<script type="application/json" id="process-state">(.*?)</script>', re.S)


def _state(page: str) -> dict:
    match = STATE.search(page)
    assert match, "no process-state JSON block on the page"
    return json.loads(match.group(1))


def _enrollment_instance(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Enrollment.instance_id).join(User, User.id == Enrollment.trainee_id)
                                 .where(User.username == username))


def test_auditor_and_process_admin_open_any_instance_with_current_and_done_steps(api, web):
    claim = api.submitted_claim(T1)
    for username in ("auditor", "process_admin"):
        page = web(username).text(f"/processes/{claim['instance_id']}")
        state = _state(page)
        assert state["current"] == ["unit_review"]
        assert {"start", "prepare"} <= set(state["done"]) and "unit_review" not in state["done"]
        assert re.search(r'role="img" aria-label="[^"]*单位审核', page)  # the accessible summary
        assert "学时登记" in page and "等待单位审核" in page
        # the full log: every event with its actor, task and decision
        assert 'class="table log-table audit-log"' in page
        assert "张伟" in page and "填写并提交登记材料" in page
        assert 'id="process-diagram"' in page and "bpmn-navigated-viewer.production.min.js" in page
        assert "<script>" not in page  # no inline script (CSP)


def test_trainee_sees_only_their_own_instances(api, web):
    claim = api.submitted_claim(T1)
    url = f"/processes/{claim['instance_id']}"
    page = web(T1).text(url)
    assert _state(page)["current"] == ["unit_review"]
    assert f'href="/claims/{claim["id"]}"' in page  # the trainee's own claim page
    assert "audit-log" not in page and "log-table" in page  # the flow log, not the audit log
    assert web(T2).get(url).status_code == 404
    assert web(T3).get(url).status_code == 404


def test_reviewers_see_instances_of_their_own_unit_only(api, web):
    claim = api.submitted_claim(T1)
    url = f"/processes/{claim['instance_id']}"
    assert web("unit_reviewer_b").get(url).status_code == 404
    assert web("unit_reviewer").get(url).status_code == 200
    assert web("authority_reviewer").get(url).status_code == 200


def test_unknown_instances_are_404_for_everyone(web):
    assert web("auditor").get("/processes/999999").status_code == 404
    assert web(T1).get("/processes/999999").status_code == 404
    assert web(T1).get("/processes/999999/diagram.bpmn").status_code == 404


def test_diagram_xml_follows_the_same_rules(api, web):
    claim = api.submitted_claim(T1)
    url = f"/processes/{claim['instance_id']}/diagram.bpmn"
    for username in ("auditor", T1, "unit_reviewer"):
        response = web(username).get(url)
        assert response.status_code == 200, username
        assert response.mimetype in ("application/xml", "text/xml")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        body = response.get_data(as_text=True)
        assert "<bpmndi:BPMNDiagram" in body and 'id="unit_review"' in body
    for username in (T2, T3, "unit_reviewer_b"):
        assert web(username).get(url).status_code == 404, username


def test_enrollment_instances_use_the_enrollment_rules(app, web):
    instance_id = _enrollment_instance(app, T1)  # the demo enrolment, approved by the unit
    url = f"/processes/{instance_id}"
    assert web(T1).get(url).status_code == 200
    assert web("unit_reviewer").get(url).status_code == 200
    assert web(T3).get(url).status_code == 404
    assert web("unit_reviewer_b").get(url).status_code == 404


def test_a_completed_instance_marks_the_end_event_reached(api, web):
    claim = api.submitted_claim(T1)
    assert api.decide("unit_reviewer", claim["id"], "approve", hours=16).status_code == 200
    assert api.decide("authority_reviewer", claim["id"], "approve", hours=16).status_code == 200
    page = web("auditor").text(f"/processes/{claim['instance_id']}")
    state = _state(page)
    assert state["current"] == []
    assert {"start", "prepare", "unit_review", "authority_review", "credit_hours", "approved"} <= set(state["done"])
    assert "unit_rejected" not in state["done"] and "authority_rejected" not in state["done"]
    assert "主管部门审核通过" in page


def test_a_sent_back_claim_waits_on_the_trainee_again_with_the_reviews_marked_done(api, web):
    claim = api.submitted_claim(T1)
    assert api.decide("unit_reviewer", claim["id"], "approve", hours=16).status_code == 200
    assert api.decide("authority_reviewer", claim["id"], "return", comment="请补充证明").status_code == 200
    page = web("auditor").text(f"/processes/{claim['instance_id']}")
    state = _state(page)
    assert state["current"] == ["revise"]
    assert {"prepare", "unit_review", "authority_review"} <= set(state["done"])
    assert "请补充证明" in page and "退回修改" in page
    reviewer_page = web("unit_reviewer").text(f"/processes/{claim['instance_id']}")
    assert "/claims/" not in reviewer_page  # only the trainee gets a link to the claim page


def test_the_list_is_for_process_admins_and_auditors_only(api, web):
    api.submitted_claim(T1)
    for username in (T1, "unit_reviewer", "authority_reviewer"):
        assert web(username).get("/processes").status_code == 403, username
    for username in ("auditor", "process_admin", "admin"):
        assert web(username).get("/processes").status_code == 200, username


def test_the_list_filters_and_paginates(app, api, web):
    claim = api.submitted_claim(T1)
    client = web("auditor")
    page = client.text("/processes")
    assert f'href="/processes/{claim["instance_id"]}"' in page and "张伟" in page
    only_claims = client.text("/processes?process=credit_claim")
    assert f'/processes/{claim["instance_id"]}"' in only_claims
    assert f'/processes/{_enrollment_instance(app, T1)}"' not in only_claims
    waiting = client.text("/processes?status=unit_review")
    assert f'/processes/{claim["instance_id"]}"' in waiting
    assert f'/processes/{claim["instance_id"]}"' not in client.text("/processes?status=approved")
    with app.app_context():  # enough instances for a second page
        template = db.session.get(ProcessInstance, claim["instance_id"])
        for n in range(25):
            db.session.add(ProcessInstance(definition_id=template.definition_id, process_key="credit_claim",
                                           record_type="claim", record_id=10_000 + n, state="{}",
                                           status="draft", status_label="未提交"))
        db.session.commit()
    first = client.text("/processes")
    assert 'rel="next"' in first and first.count('href="/processes/') == 20
    second = client.text("/processes?page=2")
    assert 'rel="prev"' in second and f'/processes/{claim["instance_id"]}"' in second
    filtered = client.text("/processes?process=credit_claim&status=draft")
    assert 'rel="next"' in filtered and "process=credit_claim" in filtered and "status=draft" in filtered


def test_the_open_box_goes_to_the_instance(api, web):
    claim = api.submitted_claim(T1)
    client = web("auditor")
    response = client.get(f"/processes?id={claim['instance_id']}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/processes/{claim['instance_id']}")
    page = client.text("/processes?id=abc")
    assert 'aria-invalid="true"' in page


def test_without_the_viewer_the_page_says_so_and_still_shows_the_log(api, web, monkeypatch):
    claim = api.submitted_claim(T1)
    monkeypatch.setattr(view, "VIEWER_FILES", ("vendor/bpmn-js/not-installed.js",))
    page = web("auditor").text(f"/processes/{claim['instance_id']}")
    assert "data-viewer-missing" in page and "bpmn-navigated-viewer" not in page
    assert 'id="process-diagram"' not in page
    assert "张伟" in page and _state(page)["current"] == ["unit_review"]


def test_the_page_is_in_english_on_request(api, web):
    claim = api.submitted_claim(T1)
    client = web("auditor")
    client.get("/lang/en")
    page = client.text(f"/processes/{claim['instance_id']}")
    assert "Event log" in page and "Process diagram" in page
