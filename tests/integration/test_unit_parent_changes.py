"""Changes of parent authority (更换上级部门): two authorities review side by side."""
from __future__ import annotations

import time

import pytest

from app.extensions import db
from app.models import HumanTask, Organisation, ProcessEvent
from app.processes.unit_change.models import UnitChange
from app.services import consistency
from tests.support.people import make_user
from tests.support.races import run_together
from tests.support.world import T1

OLD, NEW = "authority_reviewer", "authority_reviewer_b"


def _ask(api, who: str = "unit_reviewer_b", org_id: int | None = None, **changes):
    world = api.world
    body = {"new_parent_id": world.city_b, "reason": "业务划归建设局管理", **changes}
    return api.as_(who).post(f"/units/{org_id or world.unit2}/parent-change", json=body)


def _asked(api, **changes) -> dict:
    response = _ask(api, **changes)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _change(api, change_id: int, who: str = "unit_reviewer_b") -> dict:
    response = api.as_(who).get(f"/unit-changes/{change_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _parent(app, org_id: int) -> int | None:
    with app.app_context():
        return db.session.get(Organisation, org_id).parent_id


def _decide(api, who: str, change_id: int, decision: str, **extra):
    return api.decide(who, change_id, decision, record_type="unit_change", **extra)


def test_both_parents_get_their_own_task_and_the_record_shows_both(api, world):
    change = _asked(api)
    assert change["status"] == "pending"
    assert change["status_label"] == "等待原上级审核 / 等待新上级审核"
    assert [(w["name"], w["waiting_for"]) for w in change["waiting"]] == [
        ("原上级审核", ["演示市交通运输局"]), ("新上级审核", ["演示市建设局"])]
    old_task, new_task = api.task_for(OLD, change["id"], "unit_change"), api.task_for(NEW, change["id"], "unit_change")
    assert (old_task["task"], new_task["task"]) == ("old_parent_review", "new_parent_review")
    assert old_task["id"] != new_task["id"] and old_task["instance_id"] == new_task["instance_id"]
    # each sees only its own task
    assert api.as_(OLD).get(f"/tasks/{new_task['id']}").status_code == 403
    assert api.as_(NEW).get(f"/tasks/{old_task['id']}").status_code == 403
    assert old_task["subject"] == "演示公路养护有限公司" and old_task["title"] == "演示市交通运输局 → 演示市建设局"


def test_both_approve_and_the_unit_moves(api, app, world):
    change = _asked(api)
    assert _decide(api, OLD, change["id"], "approve").status_code == 200
    halfway = _change(api, change["id"])
    assert (halfway["status"], halfway["status_label"]) == ("pending", "等待新上级审核")
    assert _parent(app, world.unit2) == world.city  # nothing changes before both agree
    assert _decide(api, NEW, change["id"], "approve").status_code == 200
    done = _change(api, change["id"])
    assert (done["status"], done["status_label"]) == ("approved", "审核通过") and done["applied_at"]
    assert _parent(app, world.unit2) == world.city_b
    with app.app_context():
        assert consistency.check_all().ok


@pytest.mark.parametrize("refuser, other", [(OLD, NEW), (NEW, OLD)])
def test_either_refusal_ends_it_and_closes_the_other_review(api, app, world, refuser, other):
    change = _asked(api)
    bare = _decide(api, refuser, change["id"], "reject")
    assert bare.status_code == 422 and bare.get_json()["error"]["code"] == "comment_required"
    assert _decide(api, refuser, change["id"], "reject", comment="不同意划转").status_code == 200
    done = _change(api, change["id"])
    assert (done["status"], done["status_label"]) == ("rejected", "审核不通过")
    assert done["refusal_reason"] == "不同意划转" and done["waiting"] == []
    assert api.task_for(other, change["id"], "unit_change") is None
    assert api.task_for(other, change["id"], "unit_change", status="cancelled") is not None
    assert _parent(app, world.unit2) == world.city


def test_one_approval_then_a_refusal_is_refused(api, app, world):
    change = _asked(api)
    _decide(api, NEW, change["id"], "approve")
    _decide(api, OLD, change["id"], "reject", comment="暂不同意")
    assert _change(api, change["id"])["status"] == "rejected"
    assert _parent(app, world.unit2) == world.city


def test_the_unit_may_cancel_while_reviews_wait(api, app, world):
    change = _asked(api)
    _decide(api, OLD, change["id"], "approve")
    assert api.as_(OLD).post(f"/unit-changes/{change['id']}/cancel").status_code == 403
    cancelled = api.as_("unit_reviewer_b").post(f"/unit-changes/{change['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["status_label"] == "已撤销"
    assert api.task_for(NEW, change["id"], "unit_change") is None
    assert _parent(app, world.unit2) == world.city
    again = api.as_("unit_reviewer_b").post(f"/unit-changes/{change['id']}/cancel")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "not_cancellable"


def test_one_pending_change_at_a_time(api):
    _asked(api)
    again = _ask(api)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "change_pending"


@pytest.mark.parametrize("target", ["same", "self", "unit", "missing"])
def test_the_new_parent_must_be_another_authority(api, world, target):
    new_parent = {"same": world.city, "self": world.unit2, "unit": world.unit1, "missing": 99999}[target]
    response = _ask(api, new_parent_id=new_parent)
    assert response.status_code == 422 and "new_parent_id" in response.get_json()["error"]["fields"]


def test_an_authority_cannot_move_under_its_own_child(api, app, world):
    with app.app_context():
        child = Organisation(name="演示县交通运输局", kind="authority", parent_id=world.city)
        db.session.add(child)
        db.session.commit()
        child_id = child.id
    make_user(app, "city_admin", "市局管理员", roles=[("admin", world.city)])
    response = _ask(api, who="city_admin", org_id=world.city, new_parent_id=child_id)
    assert response.status_code == 422
    assert _ask(api, who="city_admin", org_id=world.city, new_parent_id=world.city_b).status_code == 201


def test_who_may_ask_and_who_may_see(api, app, world):
    assert _ask(api, who=T1, org_id=world.unit1).status_code == 404  # a trainee acts for no unit
    assert _ask(api, who="unit_reviewer", org_id=world.unit2).status_code == 404  # not their unit
    change = _asked(api)
    assert api.as_("unit_reviewer").get(f"/unit-changes/{change['id']}").status_code == 404  # a third unit
    assert api.as_(T1).get(f"/unit-changes/{change['id']}").status_code == 404
    assert api.as_("auditor").get(f"/unit-changes/{change['id']}").status_code == 200
    for who in (OLD, NEW):
        assert api.as_(who).get(f"/unit-changes/{change['id']}").status_code == 200


def test_future_claims_go_to_the_new_authority_while_old_ones_stay(api, world):
    claim = api.submitted_claim("330102199204150031")  # 王强, unit 2: at the unit's review
    api.decide("unit_reviewer_b", claim["id"], "approve")  # now at the old authority's review
    change = _asked(api)
    _decide(api, OLD, change["id"], "approve")
    _decide(api, NEW, change["id"], "approve")
    assert api.task_for(OLD, claim["id"]) is not None  # stays where it is
    later = api.submitted_claim("330102199204150031", route="training", details={"days": 1}, hours_requested=6)
    api.decide("unit_reviewer_b", later["id"], "approve")
    assert api.task_for(NEW, later["id"]) is not None and api.task_for(OLD, later["id"]) is None


# -- the two parents deciding at the same moment ------------------------------------------------




def test_both_parents_approving_at_the_same_moment(api, app, world, slow_lock):
    change = _asked(api)
    old_task = api.task_for(OLD, change["id"], "unit_change")["id"]
    new_task = api.task_for(NEW, change["id"], "unit_change")["id"]
    old, new = api.as_(OLD), api.as_(NEW)
    started = time.perf_counter()
    responses = run_together([lambda: old.post(f"/tasks/{old_task}/complete", json={"decision": "approve"}),
                           lambda: new.post(f"/tasks/{new_task}/complete", json={"decision": "approve"})])
    assert [r.status_code for r in responses] == [200, 200], [r.get_json() for r in responses]
    assert time.perf_counter() - started >= 0.6  # one after the other, under the instance lock
    done = _change(api, change["id"])
    assert done["status"] == "approved" and _parent(app, world.unit2) == world.city_b
    with app.app_context():
        applied = db.session.scalars(db.select(ProcessEvent).where(
            ProcessEvent.instance_id == change["instance_id"], ProcessEvent.decision.is_not(None))).all()
        assert sorted(e.action for e in applied) == ["new_parent_review", "old_parent_review"]
        assert consistency.check_all().ok


def test_one_parent_refusing_while_the_other_approves(api, app, world, slow_lock):
    change = _asked(api)
    old_task = api.task_for(OLD, change["id"], "unit_change")["id"]
    new_task = api.task_for(NEW, change["id"], "unit_change")["id"]
    old, new = api.as_(OLD), api.as_(NEW)
    refuse, approve = run_together([
        lambda: old.post(f"/tasks/{old_task}/complete", json={"decision": "reject", "comment": "不同意"}),
        lambda: new.post(f"/tasks/{new_task}/complete", json={"decision": "approve"})])
    assert refuse.status_code == 200
    # the approval either came first (then the refusal ended it) or found its task closed
    assert approve.status_code in (200, 409)
    if approve.status_code == 409:
        assert approve.get_json()["error"]["code"] == "task_closed"
    assert _change(api, change["id"])["status"] == "rejected"
    assert _parent(app, world.unit2) == world.city
    with app.app_context():
        rows = db.session.scalars(db.select(HumanTask).where(HumanTask.instance_id == change["instance_id"])).all()
        assert all(r.status != "open" for r in rows)
        assert db.session.get(UnitChange, change["id"]).applied_at is None
        assert consistency.check_all().ok
