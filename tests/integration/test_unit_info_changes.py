"""修改单位信息: a unit's administrator asks for a new name and/or credit code; its parent authority
reviews (审核机构信息修改); approving applies them, turning down or cancelling changes nothing."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.models import HumanTask, Organisation, ProcessEvent
from app.processes.unit_change.models import UnitChange
from app.services import consistency
from tests.support.races import run_together
from tests.support.world import T1

ADMIN, PARENT, OTHER_AUTHORITY = "unit_admin_b", "authority_reviewer", "authority_reviewer_b"
CODE, CODE_2 = "91330100MA2AAAAA1E", "91330100MA2BBBBB2R"
NEW_NAME = "演示公路养护集团有限公司"


def _ask(api, who: str = ADMIN, org_id: int | None = None, **body):
    payload = {"name": NEW_NAME, "code": CODE, "reason": "工商变更登记", **body}
    return api.as_(who).post(f"/units/{org_id or api.world.unit2}/changes", json=payload)


def _asked(api, **body) -> dict:
    response = _ask(api, **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _org(app, org_id: int) -> tuple[str, str | None]:
    with app.app_context():
        org = db.session.get(Organisation, org_id)
        return org.name, org.code


def _give_code(app, org_id: int, code: str) -> None:
    with app.app_context():
        db.session.get(Organisation, org_id).code = code
        db.session.commit()


def _decide(api, who: str, change_id: int, decision: str, **extra):
    return api.decide(who, change_id, decision, record_type="unit_change", **extra)


def _get(api, change_id: int, who: str = ADMIN) -> dict:
    response = api.as_(who).get(f"/unit-changes/{change_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_request_waits_for_the_parent_authority_only(api, app, world):
    change = _asked(api)
    assert (change["kind"], change["status"], change["status_label"]) == ("info", "pending", "待审核")
    assert (change["old_name"], change["new_name"]) == ("演示公路养护有限公司", NEW_NAME)
    assert (change["old_code"], change["new_code"]) == (None, CODE)
    assert [(w["name"], w["waiting_for"]) for w in change["waiting"]] == [("上级部门审核", ["演示市交通运输局"])]
    task = api.task_for(PARENT, change["id"], "unit_change")
    assert task["task"] == "parent_review" and task["subject"] == "演示公路养护有限公司"
    assert NEW_NAME in task["title"] and CODE in task["title"]
    assert api.task_for(OTHER_AUTHORITY, change["id"], "unit_change") is None
    assert api.as_(OTHER_AUTHORITY).get(f"/tasks/{task['id']}").status_code == 403
    assert api.as_(OTHER_AUTHORITY).get(f"/unit-changes/{change['id']}").status_code == 404
    assert _org(app, world.unit2) == ("演示公路养护有限公司", None)  # nothing yet


def test_only_the_units_administrators_may_ask(api, world):
    assert _ask(api, who="unit_reviewer_b").status_code == 403  # its reviewer: not an administrator
    assert _ask(api, who="unit_admin").status_code == 404  # another unit's administrator
    assert _ask(api, who=T1).status_code == 404
    assert _ask(api, who=PARENT).status_code == 404
    assert _ask(api, org_id=99999).status_code == 404


def test_refused_while_any_change_of_the_unit_waits(api, world):
    first = _asked(api)
    again = _ask(api, name="另一个名称", code=CODE_2)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "change_pending"
    parent = api.as_(ADMIN).post(f"/units/{world.unit2}/parent-change",
                                 json={"new_parent_id": world.city_b, "reason": "划转"})
    assert parent.status_code == 409 and parent.get_json()["error"]["code"] == "change_pending"
    assert api.as_(ADMIN).post(f"/unit-changes/{first['id']}/cancel").status_code == 200
    assert _ask(api).status_code == 201  # nothing pending any more


def test_a_pending_parent_change_blocks_an_information_change(api, world):
    parent = api.as_(ADMIN).post(f"/units/{world.unit2}/parent-change",
                                 json={"new_parent_id": world.city_b, "reason": "划转"})
    assert parent.status_code == 201
    refused = _ask(api)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "change_pending"


@pytest.mark.parametrize("code", ["91330100MA2AAAAA1X", "12345", "91330100MA2AAAAA1EE", "9133010OMA2AAAAA1E"])
def test_a_bad_credit_code_is_refused(api, app, world, code):
    response = _ask(api, code=code)
    assert response.status_code == 422 and "code" in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(UnitChange)) == 0


def test_a_code_in_small_letters_is_taken_in_capitals_and_one_field_may_stay(api):
    change = _asked(api, name=None, code=CODE.lower())
    assert (change["new_name"], change["new_code"]) == (None, CODE)


def test_at_least_one_must_change(api, app, world):
    for body in ({"name": "", "code": ""}, {"name": "演示公路养护有限公司", "code": None}):
        response = _ask(api, **body)
        assert response.status_code == 422 and response.get_json()["error"]["code"] == "no_change"
    _give_code(app, world.unit2, CODE)
    same = _ask(api, name=None, code=CODE)
    assert same.status_code == 422 and same.get_json()["error"]["code"] == "no_change"


def test_a_name_or_code_another_organisation_holds_is_refused(api, app, world):
    _give_code(app, world.unit1, CODE)
    name = _ask(api, name="演示交通工程有限公司", code=None)
    assert name.status_code == 422 and list(name.get_json()["error"]["fields"]) == ["name"]
    code = _ask(api, name=None, code=CODE)
    assert code.status_code == 422 and list(code.get_json()["error"]["fields"]) == ["code"]


def test_approved_the_new_name_and_code_take_effect_and_are_recorded(api, app, world):
    change = _asked(api)
    assert _decide(api, PARENT, change["id"], "approve").status_code == 200
    done = _get(api, change["id"])
    assert (done["status"], done["status_label"]) == ("approved", "审核通过") and done["applied_at"]
    assert _org(app, world.unit2) == (NEW_NAME, CODE)
    with app.app_context():
        event = db.session.scalars(db.select(ProcessEvent).where(ProcessEvent.action == "unit_info_change")).one()
        assert (event.record_type, event.record_id) == ("organisation", world.unit2)
        assert event.data["old"] == {"name": "演示公路养护有限公司", "code": None}
        assert event.data["new"] == {"name": NEW_NAME, "code": CODE}
        assert event.actor_name == "市局审核员"
        assert consistency.check_all().ok


def test_turned_down_needs_a_reason_and_changes_nothing(api, app, world):
    change = _asked(api)
    bare = _decide(api, PARENT, change["id"], "reject")
    assert bare.status_code == 422 and bare.get_json()["error"]["code"] == "comment_required"
    assert _decide(api, PARENT, change["id"], "reject", comment="证照信息不一致").status_code == 200
    done = _get(api, change["id"])
    assert (done["status"], done["status_label"], done["refusal_reason"]) == ("rejected", "已驳回", "证照信息不一致")
    assert done["applied_at"] is None and _org(app, world.unit2) == ("演示公路养护有限公司", None)
    assert _ask(api).status_code == 201  # may ask again


def test_a_name_taken_meanwhile_is_refused_at_approval(api, app, world):
    change = _asked(api)
    with app.app_context():
        db.session.get(Organisation, world.unit1).name = NEW_NAME
        db.session.commit()
    refused = _decide(api, PARENT, change["id"], "approve")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "taken"
    assert "name" in refused.get_json()["error"]["fields"]
    assert _get(api, change["id"])["status"] == "pending" and _org(app, world.unit2) == ("演示公路养护有限公司", None)
    assert _decide(api, PARENT, change["id"], "reject", comment="名称已被占用").status_code == 200


def test_cancelled_it_leaves_no_task_and_keeps_its_history(api, app, world):
    change = _asked(api)
    assert api.as_(PARENT).post(f"/unit-changes/{change['id']}/cancel").status_code == 403
    assert api.as_("unit_reviewer_b").post(f"/unit-changes/{change['id']}/cancel").status_code == 403
    cancelled = api.as_(ADMIN).post(f"/unit-changes/{change['id']}/cancel", json={"reason": "填写有误"})
    assert cancelled.status_code == 200 and cancelled.get_json()["status_label"] == "已撤销"
    for status in ("open", "completed"):
        assert api.task_for(PARENT, change["id"], "unit_change", status=status) is None
    assert _org(app, world.unit2) == ("演示公路养护有限公司", None)
    with app.app_context():
        rows = db.session.scalars(db.select(HumanTask).where(HumanTask.instance_id == change["instance_id"])).all()
        assert rows and all(r.status == "cancelled" for r in rows)
        actions = db.session.scalars(db.select(ProcessEvent.action).where(
            ProcessEvent.instance_id == change["instance_id"])).all()
        assert "request" in actions and "cancel" in actions
    again = api.as_(ADMIN).post(f"/unit-changes/{change['id']}/cancel")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "not_cancellable"


def test_cancel_and_approval_at_the_same_moment(api, app, world, slow_lock):
    change = _asked(api)
    task = api.task_for(PARENT, change["id"], "unit_change")["id"]
    parent, unit = api.as_(PARENT), api.as_(ADMIN)
    approve, cancel = run_together([
        lambda: parent.post(f"/tasks/{task}/complete", json={"decision": "approve"}),
        lambda: unit.post(f"/unit-changes/{change['id']}/cancel")])
    codes = sorted([approve.status_code, cancel.status_code])
    assert codes == [200, 409], [approve.get_json(), cancel.get_json()]
    done = _get(api, change["id"])
    if approve.status_code == 200:
        assert done["status"] == "approved" and _org(app, world.unit2) == (NEW_NAME, CODE)
        assert cancel.get_json()["error"]["code"] == "not_cancellable"
    else:
        assert done["status"] == "cancelled" and _org(app, world.unit2) == ("演示公路养护有限公司", None)
        assert approve.get_json()["error"]["code"] == "task_closed"
    with app.app_context():
        rows = db.session.scalars(db.select(HumanTask).where(HumanTask.instance_id == change["instance_id"])).all()
        assert all(r.status != "open" for r in rows)
        assert (db.session.get(UnitChange, change["id"]).applied_at is not None) == (done["status"] == "approved")
        assert consistency.check_all().ok


def test_two_requests_at_the_same_moment_one_waits(api, app, world):
    admin = api.as_(ADMIN)
    body = {"name": NEW_NAME, "code": CODE, "reason": "工商变更登记"}
    responses = run_together([lambda: admin.post(f"/units/{world.unit2}/changes", json=body),
                              lambda: admin.post(f"/units/{world.unit2}/changes", json={**body, "code": CODE_2})])
    assert sorted(r.status_code for r in responses) == [201, 409], [r.get_json() for r in responses]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(UnitChange)
                                 .where(UnitChange.status == "pending")) == 1
