"""Unit registration (用人单位注册): anyone registers a unit with its administrator's account; the parent
authority approves (the unit and its super administrator exist) or refuses with a reason."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.credit_code import check_character
from app.extensions import db
from app.models import Organisation, ProcessEvent, RoleAssignment, User
from app.processes.unit_registration.models import UnitRegistration
from app.services import consistency
from tests.support.people import make_user
from tests.support.races import run_together
from tests.support.world import PASSWORD, T1

REVIEWER, OTHER_AUTHORITY = "authority_reviewer", "authority_reviewer_b"



def code(first17: str = "91330100MA2K7Q3R5") -> str:
    return first17 + check_character(first17)


def body(world, n: int = 1, **changes) -> dict:
    data = {"name": f"演示新注册单位{n}有限公司", "unit_type": "企业", "industry": "道路运输业",
            "credit_code": code(f"91330100MA2K7Q3R{n % 10}"), "parent_id": world.city,
            "username": f"newunit{n}", "admin_name": "赵新", "phone": "13900000001", "password": PASSWORD}
    data.update(changes)
    return data


def register(api, n: int = 1, **changes):
    return api.anonymous.post("/units", json=body(api.world, n, **changes))


def registered(api, n: int = 1, **changes) -> dict:
    response = register(api, n, **changes)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def decide(api, who: str, registration_id: int, decision: str, **extra):
    return api.decide(who, registration_id, decision, record_type="unit_registration", **extra)


def fields(response) -> dict:
    assert response.status_code == 422, response.get_json()
    return response.get_json()["error"]["fields"]


def test_registered_it_waits_for_the_parent_authority_and_the_applicant_follows_it(api, app, world):
    reg = registered(api)
    assert (reg["status"], reg["status_label"]) == ("pending", "待审核")
    assert reg["parent"] == {"id": world.city, "name": "演示市交通运输局"} and reg["org"] is None
    assert [(w["name"], w["waiting_for"]) for w in reg["waiting"]] == [("审核用人单位", ["演示市交通运输局"])]
    assert "password" not in reg and reg["applicant"]["username"] == "newunit1"
    mine = api.as_("newunit1").get(f"/unit-registrations/{reg['id']}")  # logs in at once, with no role
    assert mine.status_code == 200 and mine.get_json()["status"] == "pending"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "newunit1"))
        assert user.password_hash != PASSWORD and user.roles == []
        registration_event = db.session.scalar(select(ProcessEvent).where(
            ProcessEvent.action == "account_register", ProcessEvent.record_id == user.id))
        assert registration_event is not None and registration_event.data["new"]["roles"] == []
        assert PASSWORD not in str(registration_event.data) and user.password_hash not in str(registration_event.data)
    task = api.task_for(REVIEWER, reg["id"], "unit_registration")
    assert task["subject"] == "演示新注册单位1有限公司" and task["task"] == "review"


@pytest.mark.parametrize("change, field", [
    ({"credit_code": "91330100MA2K7Q3R10"}, "credit_code"),  # wrong check character
    ({"credit_code": "12345"}, "credit_code"),
    ({"unit_type": "公司"}, "unit_type"),
    ({"password": "short1"}, "password"),
    ({"password": "onlyletters"}, "password"),
    ({"password": "newunit1"}, "password"),
    ({"username": "1abc"}, "username"),
    ({"username": "authority_reviewer"}, "username"),  # taken
    ({"phone": "12345"}, "phone"),
    ({"name": "演"}, "name"),
])
def test_bad_details_are_refused_with_their_field_and_create_nothing(api, app, change, field):
    response = register(api, **change)
    assert field in fields(response)
    assert response.get_json()["error"]["message"]
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username == "newunit1")) is None \
            or change.get("username") == "authority_reviewer"
        assert db.session.scalar(select(UnitRegistration.id).where(
            UnitRegistration.name == "演示新注册单位1有限公司")) is None


@pytest.mark.parametrize("parent", ["missing", "unit", "hr"])
def test_the_parent_must_be_an_authority(api, world, parent):
    parent_id = {"missing": 99999, "unit": world.unit1, "hr": world.org["演示省人力资源和社会保障厅"]}[parent]
    assert "parent_id" in fields(register(api, parent_id=parent_id))


def test_name_and_code_are_unique_among_organisations_and_pending_registrations(api, app, world):
    with app.app_context():
        db.session.get(Organisation, world.unit1).code = code("91330100MA2K7Q3W1")
        db.session.commit()
    assert "credit_code" in fields(register(api, credit_code=code("91330100MA2K7Q3W1")))
    assert "name" in fields(register(api, name="演示交通工程有限公司"))
    registered(api, 1)
    waiting = fields(register(api, 2, name="演示新注册单位1有限公司", credit_code=body(world, 1)["credit_code"]))
    assert set(waiting) == {"name", "credit_code"}


def test_approved_the_unit_exists_and_its_super_admin_acts_for_it(api, app, world):
    reg = registered(api)
    assert decide(api, REVIEWER, reg["id"], "approve").status_code == 200
    done = api.as_("newunit1").get(f"/unit-registrations/{reg['id']}").get_json()
    assert (done["status"], done["status_label"]) == ("approved", "审核通过") and done["org"]["name"] == reg["name"]
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == reg["name"]))
        assert (org.kind, org.parent_id, org.code, org.unit_type, org.industry) == (
            "unit", world.city, reg["credit_code"], "企业", "道路运输业")
        roles = set(db.session.execute(select(RoleAssignment.role, RoleAssignment.org_id).where(
            RoleAssignment.user_id == reg["applicant"]["id"])).all())
        assert roles == {("admin", org.id), ("super_admin", org.id)}
        change = db.session.scalar(select(ProcessEvent).where(ProcessEvent.action == "role_change",
                                                              ProcessEvent.record_id == reg["applicant"]["id"]))
        assert change.data["new"] == {"roles": [["admin", org.id], ["super_admin", org.id]]}
        assert change.data["old"] == {"roles": []}
        assert change.data["cause"] == {"record_type": "unit_registration", "record_id": reg["id"]}
        org_id = org.id
        assert consistency.check_all().ok
    api.forget_tokens()
    me = api.as_("newunit1").get("/me").get_json()
    assert {(r["role"], r["org_id"]) for r in me["roles"]} >= {("admin", org_id), ("super_admin", org_id)}


def test_refused_needs_a_reason_which_the_applicant_sees(api, app):
    reg = registered(api)
    bare = decide(api, REVIEWER, reg["id"], "reject")
    assert bare.status_code == 422 and bare.get_json()["error"]["code"] == "comment_required"
    assert decide(api, REVIEWER, reg["id"], "reject", comment="信用代码与营业执照不符").status_code == 200
    done = api.as_("newunit1").get(f"/unit-registrations/{reg['id']}").get_json()
    assert (done["status"], done["status_label"]) == ("rejected", "审核不通过")
    assert done["refusal_reason"] == "信用代码与营业执照不符" and done["org"] is None
    with app.app_context():
        assert db.session.scalar(select(Organisation.id).where(Organisation.name == reg["name"])) is None
        assert db.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.user_id == reg["applicant"]["id"])) is None
    again = registered(api, 2, name=reg["name"], credit_code=reg["credit_code"])  # may register again
    assert again["status"] == "pending"


def test_a_name_taken_before_approval_refuses_it_and_creates_nothing(api, app, world):
    reg = registered(api)
    with app.app_context():  # another unit took the name meanwhile (e.g. an administrator created it)
        db.session.add(Organisation(name=reg["name"], kind="unit", parent_id=world.city))
        db.session.commit()
    assert decide(api, REVIEWER, reg["id"], "approve").status_code == 200
    done = api.as_("newunit1").get(f"/unit-registrations/{reg['id']}").get_json()
    assert (done["status"], done["status_label"]) == ("rejected", "审核不通过")
    assert done["refusal_reason"] and done["org"] is None
    with app.app_context():
        assert db.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.user_id == reg["applicant"]["id"])) is None
        assert db.session.scalar(select(Organisation.id).where(Organisation.code == reg["credit_code"])) is None
        assert consistency.check_all().ok


def test_only_the_parent_authoritys_staff_review_it(api, world):
    reg = registered(api)
    task = api.task_for(REVIEWER, reg["id"], "unit_registration")
    assert api.task_for("authority_admin", reg["id"], "unit_registration") is not None
    assert api.task_for(OTHER_AUTHORITY, reg["id"], "unit_registration") is None
    for who in (OTHER_AUTHORITY, "unit_admin", "newunit1", T1):
        refused = api.as_(who).post(f"/tasks/{task['id']}/complete", json={"decision": "approve"})
        assert refused.status_code == 403, (who, refused.get_json())
    assert api.as_(OTHER_AUTHORITY).get(f"/unit-registrations/{reg['id']}").status_code == 404
    assert api.as_("unit_admin").get(f"/unit-registrations/{reg['id']}").status_code == 404
    assert api.as_("auditor").get(f"/unit-registrations/{reg['id']}").status_code == 200


def test_the_applicant_sees_only_their_own(api, app):
    first, second = registered(api, 1), registered(api, 2)
    assert api.as_("newunit1").get(f"/unit-registrations/{second['id']}").status_code == 404
    assert api.as_("newunit2").get(f"/unit-registrations/{first['id']}").status_code == 404
    assert api.anonymous.get(f"/unit-registrations/{first['id']}").status_code == 401


def test_batch_approval(api, app, world):
    regs = [registered(api, n) for n in (1, 2, 3)]
    tasks = [api.task_for(REVIEWER, reg["id"], "unit_registration")["id"] for reg in regs]
    make_user(app, "city_reviewer_2", "市局审核员二", roles=[("reviewer", world.city)])
    response = api.as_("city_reviewer_2").post("/tasks/batch", json={"task_ids": tasks, "decision": "approve"})
    assert response.status_code == 200 and response.get_json()["succeeded"] == 3
    with app.app_context():
        names = set(db.session.scalars(select(Organisation.name).where(Organisation.parent_id == world.city)))
        assert {reg["name"] for reg in regs} <= names
    refused = api.as_(REVIEWER).post("/tasks/batch", json={"task_ids": tasks, "decision": "reject",
                                                           "comment": "重复"})
    assert refused.get_json()["failed"] == 3  # decided already


def test_the_demo_registration_waits_for_the_city_authority(api):
    response = api.as_(REVIEWER).get("/tasks", query_string={"process": "unit_registration", "per_page": 100})
    subjects = [item["subject"] for item in response.get_json()["items"]]
    assert "演示城市公交集团有限公司" in subjects


# -- two people at once ---------------------------------------------------------------------------

def test_the_reviewer_and_the_administrator_approving_at_once_create_one_unit(api, app, world, slow_lock):
    reg = registered(api)
    task = api.task_for(REVIEWER, reg["id"], "unit_registration")["id"]
    reviewer, admin = api.as_(REVIEWER), api.as_("authority_admin")  # log in before the race
    responses = run_together([lambda: reviewer.post(f"/tasks/{task}/complete", json={"decision": "approve"}),
                              lambda: admin.post(f"/tasks/{task}/complete", json={"decision": "approve"})])
    assert sorted(r.status_code for r in responses) == [200, 409], [r.get_json() for r in responses]
    with app.app_context():
        assert len(db.session.scalars(select(Organisation.id).where(Organisation.name == reg["name"])).all()) == 1
        assert len(db.session.scalars(select(RoleAssignment.id).where(
            RoleAssignment.user_id == reg["applicant"]["id"])).all()) == 2
        assert consistency.check_all().ok


def test_two_registrations_of_one_code_at_once_let_one_through(api, app, world):
    same_code = body(world, 1)["credit_code"]
    responses = run_together([lambda: register(api, 1), lambda: register(api, 2, credit_code=same_code)])
    assert sorted(r.status_code for r in responses)[0] == 201, [r.get_json() for r in responses]
    assert sorted(r.status_code for r in responses)[1] in (409, 422), [r.get_json() for r in responses]
    with app.app_context():
        assert len(db.session.scalars(select(UnitRegistration.id).where(
            UnitRegistration.credit_code == same_code)).all()) == 1


def _unit_details(reg: dict, **changes) -> dict:
    return {"name": reg["name"], "unit_type": reg["unit_type"], "industry": reg["industry"],
            "credit_code": reg["credit_code"], "parent_id": reg["parent"]["id"], **changes}


def test_a_refused_applicant_registers_again_from_the_same_account(api, app, world):
    reg = registered(api)
    applicant = api.as_("newunit1")
    too_soon = applicant.post("/unit-registrations", json=_unit_details(reg))  # still waiting
    assert too_soon.status_code == 409 and too_soon.get_json()["error"]["code"] == "not_refused"
    assert decide(api, REVIEWER, reg["id"], "reject", comment="信用代码有误").status_code == 200
    bad = applicant.post("/unit-registrations", json=_unit_details(reg, credit_code="91330100MA2K7Q3R10"))
    assert "credit_code" in fields(bad)
    again = applicant.post("/unit-registrations", json=_unit_details(reg, credit_code=code("91330100MA2K7Q3R9")))
    assert again.status_code == 201, again.get_json()
    second = again.get_json()
    assert second["status"] == "pending" and second["applicant"]["username"] == "newunit1"
    assert applicant.post("/unit-registrations", json=_unit_details(reg)).status_code == 409  # one waits
    assert decide(api, REVIEWER, second["id"], "approve").status_code == 200
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == reg["name"]))
        assert org is not None and org.code == code("91330100MA2K7Q3R9")
    # holding a role now, and nothing refused left to correct: no third registration
    assert api.as_("newunit1").post("/unit-registrations", json=_unit_details(
        reg, name="另一个单位有限公司", credit_code=code("91330100MA2K7Q3R8"))).status_code == 409


def test_only_refused_applicants_register_again(api):
    for who in ("unit_admin", T1, "auditor"):  # people in organisations, or who never registered
        response = api.as_(who).post("/unit-registrations", json=_unit_details(
            {"name": "某某单位有限公司", "unit_type": "企业", "industry": "道路运输业",
             "credit_code": code("91330100MA2K7Q3R7"), "parent": {"id": api.world.city}}))
        assert response.status_code in (403, 409), (who, response.get_json())
    assert api.anonymous.post("/unit-registrations", json={}).status_code == 401
