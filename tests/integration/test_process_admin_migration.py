"""Moving running instances to another version, suspending and resuming them, and stuck ones."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.models import HumanTask, ProcessEvent, ProcessInstance
from app.services import consistency
from tests.support.diagrams import credit_claim_edited, credit_claim_second_unit_review
from tests.support.races import run_together
from tests.support.world import T1

ADMIN = "process_admin"
XML = {"content_type": "application/xml"}


def _claim_v1(api) -> int:
    groups = api.as_(ADMIN).get("/process-definitions").get_json()["items"]
    claim = next(g for g in groups if g["process_key"] == "credit_claim")
    return next(v["id"] for v in claim["versions"] if v["version"] == 1)


def _publish(api, content: bytes) -> int:
    draft = api.as_(ADMIN).post("/process-definitions", data=content, **XML).get_json()
    published = api.as_(ADMIN).post(f"/process-definitions/{draft['id']}/publish")
    assert published.status_code == 201, published.get_json()
    return draft["id"]


def _consistent(app) -> None:
    with app.app_context():
        report = consistency.check_all()
        assert report.ok, report.problems
        db.session.remove()


def _state(app, instance_id: int) -> tuple:
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        rows = db.session.execute(select(HumanTask.id, HumanTask.status).where(
            HumanTask.instance_id == instance_id).order_by(HumanTask.id)).all()
        events = db.session.scalar(select(db.func.count()).where(ProcessEvent.instance_id == instance_id))
        return instance.definition_id, instance.state, instance.status, tuple(rows), events


def _migrate(api, **body):
    return api.as_(ADMIN).post("/migrations", json=body)


def test_instances_waiting_at_the_unit_review_move_and_follow_the_new_step(api, app):
    v1 = _claim_v1(api)
    waiting = [api.submitted_claim(T1) for _ in range(2)]
    v2 = _publish(api, credit_claim_second_unit_review())
    dry = _migrate(api, **{"from": v1, "to": v2, "dry_run": True})
    assert dry.status_code == 200, dry.get_json()
    results = {r["instance_id"]: r for r in dry.get_json()["results"]}
    assert set(results) == {c["instance_id"] for c in waiting}
    assert all(r["ok"] and not r["moved"] for r in results.values())
    assert _state(app, waiting[0]["instance_id"])[0] == v1  # a dry run moves nothing

    moved = _migrate(api, **{"from": v1, "to": v2, "dry_run": False,
                             "instance_ids": [waiting[0]["instance_id"]]}).get_json()
    assert moved["moved"] == 1 and moved["results"][0]["ok"] is True
    definition_id, _state_json, status, rows, _events = _state(app, waiting[0]["instance_id"])
    assert definition_id == v2 and status == "unit_review"
    assert [s for _id, s in rows] == ["completed", "open"] or [s for _id, s in rows][-1] == "open"
    task = api.task_for("unit_reviewer", waiting[0]["id"])  # still in the unit's inbox
    assert task is not None
    api.decide("unit_reviewer", waiting[0]["id"], "approve")
    assert api.claim(T1, waiting[0]["id"])["status"] == "unit_review_2"  # the new step
    api.decide("unit_reviewer", waiting[0]["id"], "approve")
    assert api.claim(T1, waiting[0]["id"])["status"] == "authority_review"
    # the other one, not selected, stays on v1 and goes straight to the authority
    assert _state(app, waiting[1]["instance_id"])[0] == v1
    api.decide("unit_reviewer", waiting[1]["id"], "approve")
    assert api.claim(T1, waiting[1]["id"])["status"] == "authority_review"
    with app.app_context():
        event = db.session.scalars(select(ProcessEvent).where(
            ProcessEvent.instance_id == waiting[0]["instance_id"], ProcessEvent.action == "migrate")).one()
        assert event.data["from_version"] == 1 and event.data["to_version"] == 2
        assert event.actor_name and event.process_key == "credit_claim"
    _consistent(app)


RENAMED_AUTHORITY = (("authority_review", "authority_check"),)


def test_an_instance_whose_waiting_step_is_gone_is_refused_and_unchanged(api, app):
    v1 = _claim_v1(api)
    at_unit = api.submitted_claim(T1)
    at_authority = api.submitted_claim(T1)
    api.decide("unit_reviewer", at_authority["id"], "approve")
    v2 = _publish(api, credit_claim_edited(*RENAMED_AUTHORITY))
    before = _state(app, at_authority["instance_id"])
    dry = {r["instance_id"]: r for r in _migrate(api, **{"from": v1, "to": v2}).get_json()["results"]}
    assert dry[at_unit["instance_id"]]["ok"] is True
    refusal = dry[at_authority["instance_id"]]
    assert refusal["ok"] is False and any("authority_review" in reason for reason in refusal["reasons"])
    done = {r["instance_id"]: r for r in _migrate(api, **{"from": v1, "to": v2, "dry_run": False})
            .get_json()["results"]}
    assert done[at_unit["instance_id"]]["moved"] is True
    assert done[at_authority["instance_id"]]["moved"] is False
    assert _state(app, at_authority["instance_id"]) == before  # a refused move changes nothing
    assert api.task_for("authority_reviewer", at_authority["id"]) is not None
    _consistent(app)


@pytest.mark.parametrize("body", [
    {"from": 1, "to": 1}, {"from": 999999, "to": 1}, {"to": 1}, {"from": "x", "to": 1},
    {"from": 1, "to": 2, "instance_ids": []}, {"from": 1, "to": 2, "dry_run": "maybe"},
])
def test_a_bad_migration_request_is_refused(api, body):
    response = _migrate(api, **body)
    assert response.status_code in (404, 422), response.get_json()
    assert "error" in response.get_json()


def test_a_migration_racing_a_task_completion_serialises(api, app, slow_lock):
    v1 = _claim_v1(api)
    claim = api.submitted_claim(T1)
    v2 = _publish(api, credit_claim_second_unit_review())
    task = api.task_for("unit_reviewer", claim["id"])
    reviewer, admin = api.as_("unit_reviewer"), api.as_(ADMIN)
    started = time.perf_counter()
    responses = run_together([
        lambda: reviewer.post(f"/tasks/{task['id']}/complete", json={"decision": "approve", "hours": 16}),
        lambda: admin.post("/migrations", json={"from": v1, "to": v2, "dry_run": False,
                                                "instance_ids": [claim["instance_id"]]}),
    ])
    assert time.perf_counter() - started >= 0.6  # one held the instance lock after the other
    assert [r.status_code for r in responses] == [200, 200], [r.get_json() for r in responses]
    moved = responses[1].get_json()["results"][0]
    status = api.claim(T1, claim["id"])["status"]
    if moved["moved"]:  # the move came first: the approval went on to the new step
        assert status == "unit_review_2" and _state(app, claim["instance_id"])[0] == v2
    else:  # the approval came first: the unit's finished decision now leads elsewhere, so it stays
        assert status == "authority_review" and _state(app, claim["instance_id"])[0] == v1
        assert any("unit_decision" in reason for reason in moved["reasons"]), moved
    _consistent(app)


def test_a_suspended_instance_leaves_the_inbox_and_cannot_go_on(api, app):
    claim = api.submitted_claim(T1)
    task = api.task_for("unit_reviewer", claim["id"])
    suspended = api.as_(ADMIN).post(f"/process-instances/{claim['instance_id']}/suspend", json={"comment": "核查"})
    assert suspended.status_code == 200 and suspended.get_json()["suspended"] is True
    assert api.task_for("unit_reviewer", claim["id"]) is None
    before = _state(app, claim["instance_id"])
    refused = api.as_("unit_reviewer").post(f"/tasks/{task['id']}/complete", json={"decision": "approve"})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "suspended"
    withdraw = api.as_(T1).post(f"/claims/{claim['id']}/withdraw")
    assert withdraw.status_code == 409
    assert _state(app, claim["instance_id"])[:4] == before[:4]
    again = api.as_(ADMIN).post(f"/process-instances/{claim['instance_id']}/suspend")
    assert again.status_code == 409
    resumed = api.as_(ADMIN).post(f"/process-instances/{claim['instance_id']}/resume")
    assert resumed.status_code == 200 and resumed.get_json()["suspended"] is False
    assert api.task_for("unit_reviewer", claim["id"])["id"] == task["id"]
    api.decide("unit_reviewer", claim["id"], "approve")
    assert api.claim(T1, claim["id"])["status"] == "authority_review"
    with app.app_context():
        actions = db.session.scalars(select(ProcessEvent.action).where(
            ProcessEvent.instance_id == claim["instance_id"]).order_by(ProcessEvent.id)).all()
    assert actions[-3:-1] == ["suspend", "resume"]
    _consistent(app)


def test_a_suspended_instance_can_be_moved_and_stays_suspended(api, app):
    v1 = _claim_v1(api)
    claim = api.submitted_claim(T1)
    v2 = _publish(api, credit_claim_second_unit_review())
    api.as_(ADMIN).post(f"/process-instances/{claim['instance_id']}/suspend")
    result = _migrate(api, **{"from": v1, "to": v2, "dry_run": False}).get_json()["results"]
    assert result[0]["moved"] is True
    assert api.task_for("unit_reviewer", claim["id"]) is None
    api.as_(ADMIN).post(f"/process-instances/{claim['instance_id']}/resume")
    api.decide("unit_reviewer", claim["id"], "approve")
    assert api.claim(T1, claim["id"])["status"] == "unit_review_2"
    _consistent(app)


def test_an_instance_with_an_error_is_listed_as_stuck_and_retried(api, app):
    claim = api.submitted_claim(T1)
    with app.app_context():
        db.session.execute(db.update(ProcessInstance).where(ProcessInstance.id == claim["instance_id"])
                           .values(error="ServiceTaskError: the ledger was away"))
        db.session.commit()
    stuck = api.as_(ADMIN).get("/process-instances/stuck").get_json()["items"]
    assert [s["id"] for s in stuck] == [claim["instance_id"]] and "ledger" in stuck[0]["error"]
    retried = api.as_(ADMIN).post(f"/process-instances/{claim['instance_id']}/retry")
    assert retried.status_code == 200 and retried.get_json()["error"] is None
    assert api.as_(ADMIN).get("/process-instances/stuck").get_json()["items"] == []
    _consistent(app)


def test_a_failing_timer_marks_its_instance_stuck_and_the_others_go_on(api, app, monkeypatch):
    from app.services import timers
    from workflows import ServiceTaskError
    claims = [api.submitted_claim(T1) for _ in range(2)]
    with app.app_context():
        db.session.execute(db.update(ProcessInstance).where(
            ProcessInstance.id.in_([c["instance_id"] for c in claims]))
            .values(next_timer_due=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    original = timers.advance

    def failing(instance_id, now):
        if instance_id == claims[0]["instance_id"]:
            raise ServiceTaskError("the handler failed")
        return original(instance_id, now)
    monkeypatch.setattr(timers, "advance", failing)
    with app.app_context():
        timers.run_due()
        first = db.session.get(ProcessInstance, claims[0]["instance_id"])
        second = db.session.get(ProcessInstance, claims[1]["instance_id"])
        assert first.error and "the handler failed" in first.error
        assert second.error is None
        db.session.remove()


def test_a_suspended_instances_timer_waits_until_it_is_resumed(api, app):
    from app.services import timers
    claim = api.submitted_claim(T1)
    api.as_(ADMIN).post(f"/process-instances/{claim['instance_id']}/suspend")
    due = utcnow() - timedelta(minutes=1)
    with app.app_context():
        db.session.execute(db.update(ProcessInstance).where(ProcessInstance.id == claim["instance_id"])
                           .values(next_timer_due=due))
        db.session.commit()
        before = _state(app, claim["instance_id"])
        assert timers.run_due() == 0
        db.session.remove()
    assert _state(app, claim["instance_id"]) == before  # not even looked at
    with app.app_context():
        assert db.session.get(ProcessInstance, claim["instance_id"]).next_timer_due is not None
        db.session.remove()
    api.as_(ADMIN).post(f"/process-instances/{claim['instance_id']}/resume")
    with app.app_context():
        timers.run_due()  # resumed: the runner takes it again (no timer in this diagram: it is cleared)
        assert db.session.get(ProcessInstance, claim["instance_id"]).next_timer_due is None
        db.session.remove()
