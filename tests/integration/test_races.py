"""Concurrent requests on one instance: exactly one wins, the other gets 409, nothing tears."""
from __future__ import annotations

import time

from app.extensions import db
from app.models import HumanTask, ProcessEvent, ProcessInstance, RoleAssignment, User
from app.services import consistency
from app.services.accounts import hash_password
from app.services.definitions import deploy
from app.services.engine import bundle_for, engine
from app.services.timers import run_due
from tests.support.diagrams import credit_claim_with_deadline
from tests.support.races import run_together
from tests.support.world import PASSWORD, T1


def _second_unit_reviewer(app, world) -> str:
    with app.app_context():
        user = User(username="unit_reviewer_2", name="第二审核员", password_hash=hash_password(PASSWORD))
        user.roles.append(RoleAssignment(role="reviewer", org_id=world.unit1))
        db.session.add(user)
        db.session.commit()
    return "unit_reviewer_2"


def _all_views_agree(app) -> None:
    """Engine state, record status, inbox rows, events and ledger agree for every instance."""
    with app.app_context():
        report = consistency.check_all()
        assert report.ok, report.problems
        assert report.checked["state"] >= 1 and report.checked["tasks"] >= 1
        db.session.remove()





def test_two_reviewers_complete_the_same_task(app, api, world, slow_lock):
    other = _second_unit_reviewer(app, world)
    claim = api.submitted_claim(T1)
    task = api.task_for("unit_reviewer", claim["id"])
    a, b = api.as_("unit_reviewer"), api.as_(other)  # log in before the race
    started = time.perf_counter()
    responses = run_together([
        lambda: a.post(f"/tasks/{task['id']}/complete", json={"decision": "approve", "hours": 16}),
        lambda: b.post(f"/tasks/{task['id']}/complete", json={"decision": "reject", "comment": "不通过"}),
    ])
    elapsed = time.perf_counter() - started
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409], [r.get_json() for r in responses]
    assert elapsed >= 0.6  # the two held the lock one after the other, not side by side
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.get_json()["error"]["code"] == "task_closed"
    winner_decision = next(r for r in responses if r.status_code == 200).get_json()["decision"]

    expected = {"approve": "authority_review", "reject": "unit_rejected"}[winner_decision]
    assert api.claim(T1, claim["id"])["status"] == expected
    with app.app_context():
        rows = db.session.scalars(db.select(HumanTask).where(
            HumanTask.record_type == "claim", HumanTask.record_id == claim["id"])
            .order_by(HumanTask.id)).all()
        unit_rows = [r for r in rows if r.task_spec == "unit_review"]
        assert [(r.status, r.decision) for r in unit_rows] == [("completed", winner_decision)]
        open_specs = [r.task_spec for r in rows if r.status == "open"]
        assert open_specs == (["authority_review"] if winner_decision == "approve" else [])
        instance = db.session.get(ProcessInstance, claim["instance_id"])
        loaded = engine().load(bundle_for(instance.definition_id), instance.state)
        assert [t.spec for t in loaded.ready_tasks()] == open_specs
        assert instance.status == expected
        reviews = db.session.scalars(db.select(ProcessEvent).where(
            ProcessEvent.instance_id == instance.id, ProcessEvent.action == "unit_review")).all()
        assert len(reviews) == 1
    _all_views_agree(app)


def test_withdraw_racing_the_unit_approval(app, api, slow_lock):
    claim = api.submitted_claim(T1)
    task = api.task_for("unit_reviewer", claim["id"])
    reviewer, trainee = api.as_("unit_reviewer"), api.as_(T1)
    responses = run_together([
        lambda: reviewer.post(f"/tasks/{task['id']}/complete", json={"decision": "approve"}),
        lambda: trainee.post(f"/claims/{claim['id']}/withdraw"),
    ])
    codes = [r.status_code for r in responses]
    assert sorted(codes) == [200, 409], [r.get_json() for r in responses]
    final = api.claim(T1, claim["id"])
    if codes[0] == 200:  # approval won: the withdrawal found nothing waiting
        assert final["status"] == "authority_review"
        assert api.task_for("authority_reviewer", claim["id"]) is not None
    else:
        assert final["status"] == "draft"
        assert api.task_for("unit_reviewer", claim["id"]) is None
    _all_views_agree(app)


def test_batch_racing_a_single_approval_of_one_of_its_tasks(app, api, world, slow_lock):
    other = _second_unit_reviewer(app, world)
    claims = [api.submitted_claim(T1, details={"days": 1}, route="training", hours_requested=1)
              for _ in range(3)]
    tasks = [api.task_for("unit_reviewer", c["id"])["id"] for c in claims]
    batcher, single = api.as_("unit_reviewer"), api.as_(other)
    batch, alone = run_together([
        lambda: batcher.post("/tasks/batch", json={"task_ids": tasks, "decision": "approve"}),
        lambda: single.post(f"/tasks/{tasks[1]}/complete", json={"decision": "reject", "comment": "材料不全"}),
    ])
    assert batch.status_code == 200, batch.get_json()
    by_task = {r["task_id"]: r for r in batch.get_json()["results"]}
    assert by_task[tasks[0]]["ok"] and by_task[tasks[2]]["ok"]
    contested_by_batch = by_task[tasks[1]]["ok"]
    assert contested_by_batch != (alone.status_code == 200)  # exactly one of them won task 2
    if not contested_by_batch:
        assert by_task[tasks[1]]["status"] == 409 and alone.status_code == 200
    else:
        assert alone.status_code == 409
    expected = "authority_review" if contested_by_batch else "unit_rejected"
    assert [api.claim(T1, c["id"])["status"] for c in claims] == ["authority_review", expected, "authority_review"]
    with app.app_context():
        row = db.session.get(HumanTask, tasks[1])
        assert row.status == "completed" and row.decision == ("approve" if contested_by_batch else "reject")
        decided = db.session.scalars(db.select(ProcessEvent).where(
            ProcessEvent.instance_id == claims[1]["instance_id"], ProcessEvent.action == "unit_review")).all()
        assert len(decided) == 1
    _all_views_agree(app)


def test_two_timer_runners_on_one_instance(app, api):
    with app.app_context():
        deploy(credit_claim_with_deadline())
        db.session.commit()
    claim = api.submitted_claim(T1)
    with app.app_context():
        instance = db.session.get(ProcessInstance, claim["instance_id"])
        assert instance.next_timer_due is not None
    time.sleep(1.2)

    def runner():
        with app.app_context():
            try:
                return run_due()
            finally:
                db.session.remove()

    fired = run_together([runner, runner])
    assert sorted(fired) == [0, 1]
    assert api.claim(T1, claim["id"])["status"] == "unit_rejected"
    assert api.task_for("unit_reviewer", claim["id"]) is None
    with app.app_context():
        instance = db.session.get(ProcessInstance, claim["instance_id"])
        assert instance.completed and instance.next_timer_due is None
        timers = db.session.scalars(db.select(ProcessEvent).where(
            ProcessEvent.instance_id == instance.id, ProcessEvent.action == "timer")).all()
        assert len(timers) == 1
        rows = db.session.scalars(db.select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                             HumanTask.task_spec == "unit_review")).all()
        assert [r.status for r in rows] == ["cancelled"]
    with app.app_context():
        assert run_due() == 0  # nothing left to do
    _all_views_agree(app)
