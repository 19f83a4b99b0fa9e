"""角色管理: an organisation's own roles carry permission modules; their members get the base roles the
modules grant there, so review tasks reach them through the unchanged inbox and candidate checks."""
from __future__ import annotations

from sqlalchemy import delete, select

from app.extensions import db
from app.models import ProcessEvent, RoleAssignment
from tests.support.world import T1, T2, T3


def _role(api, name: str = "学时审核员", modules=("review",), who: str = "unit_admin") -> dict:
    response = api.as_(who).post("/roles", json={"name": name, "modules": list(modules)})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _members(api, role_id: int, user_ids: list[int], who: str = "unit_admin"):
    return api.as_(who).post(f"/roles/{role_id}/members", json={"user_ids": user_ids})


def test_the_roles_page_lists_modules_and_people(api, world):
    body = api.as_("unit_admin").get("/roles").get_json()
    assert body["org_id"] == world.unit1 and body["items"] == []
    assert {m["key"]: m["grants"] for m in body["modules"]} == {"review": "reviewer", "admin": "admin"}
    people = {p["id"] for p in body["people"]}
    assert world.user[T1] in people and world.user["unit_reviewer"] in people
    assert world.user[T3] not in people  # another unit's trainee


def test_a_role_with_the_review_module_makes_its_member_a_candidate(api, app, world):
    role = _role(api)
    assert api.task_for(T2, api.submitted_claim(T1)["id"]) is None  # 李娜 is a trainee only
    response = _members(api, role["id"], [world.user[T2]])
    assert response.status_code == 200 and [m["id"] for m in response.get_json()["members"]] == [world.user[T2]]
    claim = api.submitted_claim(T1)
    task = api.task_for(T2, claim["id"])
    assert task is not None  # in her inbox, as the unit's reviewer
    done = api.as_(T2).post(f"/tasks/{task['id']}/complete", json={"decision": "approve", "hours": 16})
    assert done.status_code == 200, done.get_json()
    assert api.claim(T1, claim["id"])["status"] == "authority_review"

    later = api.submitted_claim(T1)
    waiting = api.task_for(T2, later["id"])
    assert waiting is not None
    assert _members(api, role["id"], []).status_code == 200
    assert api.task_for(T2, later["id"]) is None  # the membership gone, the candidacy is gone
    refused = api.as_(T2).post(f"/tasks/{waiting['id']}/complete", json={"decision": "approve", "hours": 16})
    assert refused.status_code in (403, 404)
    assert api.task_for("unit_reviewer", later["id"]) is not None  # the unit's own reviewer still has it


def test_removing_the_module_or_the_role_removes_the_candidacy(api, world):
    role = _role(api)
    _members(api, role["id"], [world.user[T2]])
    claim = api.submitted_claim(T1)
    assert api.task_for(T2, claim["id"]) is not None
    assert api.as_("unit_admin").patch(f"/roles/{role['id']}", json={"modules": ["admin"]}).status_code == 200
    assert api.task_for(T2, claim["id"]) is None
    assert api.as_("unit_admin").patch(f"/roles/{role['id']}", json={"modules": ["review"]}).status_code == 200
    assert api.task_for(T2, claim["id"]) is not None
    assert api.as_("unit_admin").delete(f"/roles/{role['id']}").status_code == 204
    assert api.task_for(T2, claim["id"]) is None


def test_a_grant_lapses_when_the_member_leaves_the_organisation(api, app, world):
    role = _role(api)
    _members(api, role["id"], [world.user[T2]])
    claim = api.submitted_claim(T1)
    with app.app_context():
        db.session.execute(delete(RoleAssignment).where(RoleAssignment.user_id == world.user[T2]))
        db.session.commit()
    assert api.task_for(T2, claim["id"]) is None


def test_only_people_of_the_organisation_hold_its_roles(api, world):
    role = _role(api)
    response = _members(api, role["id"], [world.user[T3]])
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "not_a_member"
    assert api.as_("unit_admin").get("/roles").get_json()["items"][0]["members"] == []


def test_bad_role_input_is_refused(api, world):
    _role(api)
    assert api.as_("unit_admin").post("/roles", json={"name": "学时审核员", "modules": []}).status_code == 409
    unknown = api.as_("unit_admin").post("/roles", json={"name": "超级", "modules": ["super_admin"]})
    assert unknown.status_code == 422 and "modules" in unknown.get_json()["error"]["fields"]
    assert api.as_("unit_admin").post("/roles", json={"name": "  ", "modules": []}).status_code == 422
    assert len(api.as_("unit_admin").get("/roles").get_json()["items"]) == 1


def test_role_changes_are_audit_events_with_old_and_new_values(api, app, world):
    role = _role(api)
    api.as_("unit_admin").patch(f"/roles/{role['id']}", json={"name": "审核组", "modules": ["review", "admin"]})
    _members(api, role["id"], [world.user[T2]])
    api.as_("unit_admin").delete(f"/roles/{role['id']}")
    with app.app_context():
        events = {e.action: e.data for e in db.session.scalars(select(ProcessEvent).where(
            ProcessEvent.record_type == "org_role", ProcessEvent.record_id == role["id"]))}
        access = [e.data for e in db.session.scalars(select(ProcessEvent).where(
            ProcessEvent.record_type == "user", ProcessEvent.record_id == world.user[T2],
            ProcessEvent.action == "role_change")) if "granted_roles" in e.data["new"]]
    assert events["org_role_create"]["new"] == {"name": "学时审核员", "modules": ["review"]}
    assert events["org_role_update"]["old"]["name"] == "学时审核员"
    assert events["org_role_update"]["new"] == {"name": "审核组", "modules": ["admin", "review"]}
    assert events["org_role_members"] == {"old": {"members": []}, "new": {"members": [world.user[T2]]}}
    assert events["org_role_delete"]["old"]["members"] == [world.user[T2]]
    granted = [["admin", world.unit1], ["reviewer", world.unit1]]
    assert access[0]["old"] == {"granted_roles": []} and access[0]["new"] == {"granted_roles": granted}
    assert access[-1]["old"] == {"granted_roles": granted} and access[-1]["new"] == {"granted_roles": []}


def test_an_administrator_of_two_organisations_names_one(api, app, world):
    from tests.support.people import make_user
    make_user(app, "two_hats", "两单位管理员", roles=[("admin", world.unit1), ("admin", world.unit2)])
    assert api.as_("two_hats").get("/roles").status_code == 422
    assert api.as_("two_hats").get(f"/roles?org_id={world.unit2}").get_json()["org_id"] == world.unit2
    assert api.as_("unit_admin").get(f"/roles?org_id={world.unit2}").status_code == 403
