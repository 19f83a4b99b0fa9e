"""Concurrent requests on one person info change: exactly one wins, the other gets 409, nothing tears."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import HumanTask, ProcessEvent, User
from app.processes.enrollment.models import Enrollment
from app.processes.person_info_change.models import PersonInfoChange
from app.services import consistency
from tests.support.person_info import asked, task_of
from tests.support.races import run_together
from tests.support.world import T1


def test_withdraw_racing_the_unit_approval(app, api, world, slow_lock):
    change = asked(api, T1)
    task = task_of(api, "unit_reviewer", change["id"])
    reviewer, trainee = api.as_("unit_reviewer"), api.as_(T1)  # log in before the race
    responses = run_together([
        lambda: reviewer.post(f"/tasks/{task['id']}/complete", json={"decision": "approve"}),
        lambda: trainee.post("/me/profile-change/withdraw"),
    ])
    codes = [r.status_code for r in responses]
    assert sorted(codes) == [200, 409], [r.get_json() for r in responses]
    approved = codes[0] == 200
    with app.app_context():
        record = db.session.get(PersonInfoChange, change["id"])
        user = db.session.get(User, world.user[T1])
        enrolment = db.session.get(Enrollment, record.enrollment_id)
        assert record.status == ("approved" if approved else "withdrawn")
        assert (record.applied_at is not None) is approved
        assert (user.name, enrolment.title) == (("张伟明", "高级工程师") if approved else ("张伟", "工程师"))
        row = db.session.get(HumanTask, task["id"])
        assert (row.status == "completed") if approved else (row.status != "open")
        actions = list(db.session.scalars(select(ProcessEvent.action).where(
            ProcessEvent.instance_id == record.instance_id).order_by(ProcessEvent.id)))
        assert actions == ["request", "unit_review" if approved else "withdraw"]
        report = consistency.check_all()
        assert report.ok, report.problems
        db.session.remove()


def test_two_requests_at_once_leave_one_waiting(app, api, world):
    trainee = api.as_(T1)
    responses = run_together([
        lambda: trainee.post("/me/profile-change", json={"specialty": "桥梁工程"}),
        lambda: trainee.post("/me/profile-change", json={"specialty": "隧道工程"}),
    ])
    assert sorted(r.status_code for r in responses) == [201, 409], [r.get_json() for r in responses]
    with app.app_context():
        statuses = list(db.session.scalars(select(PersonInfoChange.status).where(
            PersonInfoChange.person_id == world.user[T1])))
        assert statuses == ["pending"]
        db.session.remove()
