"""The organisation tree (组织架构树), departments (内设部门) and subordinate units (管理下级单位) over the API:
who sees which part of the tree, search, counts, the department rules with their audit events, and
removing a unit (refused while in use, then done, recorded, and gone from the pickers)."""
from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models import Department, Organisation, RoleAssignment
from app.services.consistency import check_all
from tests.integration.test_query_counts import statements
from tests.support.organisations import COUNTY, COUNTY_UNIT, EMPTY, departments_of, events, more_orgs, place
from tests.support.people import ENROLMENT_PROFILE, NEW_TRAINEE_ID, make_trainee
from tests.support.races import run_together
from tests.support.world import T1, T3


@pytest.fixture
def orgs(app, world) -> dict[str, int]:
    return more_orgs(app, world)


def _names(nodes: list[dict]) -> list[str]:
    return [n["name"] for n in nodes]


def _find(nodes: list[dict], name: str) -> dict | None:
    for node in nodes:
        if node["name"] == name:
            return node
        found = _find(node["children"], name)
        if found:
            return found
    return None


def _tree(api, who: str, **query) -> list[dict]:
    response = api.as_(who).get("/units", query_string=query)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["scope"] == "tree"
    return response.get_json()["items"]


# -- the tree ----------------------------------------------------------------------------------

def test_an_authoritys_staff_see_its_subtree_with_counts(api, world, orgs):
    roots = _tree(api, "authority_admin")
    assert _names(roots) == ["演示市交通运输局"]
    city = roots[0]
    assert sorted(_names(city["children"])) == sorted([COUNTY, EMPTY, "演示交通工程有限公司", "演示公路养护有限公司"])
    assert city["sub_units"] == 4 and city["people"] == 2  # its reviewer and administrator
    unit1 = _find(roots, "演示交通工程有限公司")
    assert (unit1["people"], unit1["trainees"]) == (5, 3)  # reviewer, admin; 张伟, 李娜 and 刘洋 (moved in)
    assert _names(_find(roots, COUNTY)["children"]) == [COUNTY_UNIT]
    assert _tree(api, "authority_reviewer") == roots  # reviewers see what the administrators see


def test_a_units_staff_see_their_unit_only_and_others_nothing_outside(api, world, orgs):
    for who, name in (("unit_admin", "演示交通工程有限公司"), ("unit_reviewer_b", "演示公路养护有限公司"),
                      ("county_unit_admin", COUNTY_UNIT)):
        roots = _tree(api, who)
        assert _names(roots) == [name] and roots[0]["children"] == []
    assert _names(_tree(api, "authority_reviewer_b")) == ["演示市建设局"]
    for who in (T1, "course_admin"):
        refused = api.as_(who).get("/units")
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"


def test_the_global_roles_read_the_whole_tree(api, world, orgs):
    for who in ("auditor", "process_admin", "admin"):
        roots = _tree(api, who)
        assert "演示省交通运输厅" in _names(roots) and "演示省人力资源和社会保障厅" in _names(roots)
        assert _find(roots, COUNTY_UNIT) is not None and _find(roots, "演示市公路培训中心") is not None


def test_search_by_name_or_credit_code_keeps_the_way_down(api, world, orgs):
    roots = _tree(api, "auditor", q="养护")
    assert _names(roots) == ["演示省交通运输厅"]
    city = roots[0]["children"]
    assert _names(city) == ["演示市交通运输局"] and not city[0]["match"]
    assert _names(city[0]["children"]) == ["演示公路养护有限公司"] and city[0]["children"][0]["match"]
    by_code = _tree(api, "authority_admin", q="91330100ma27")
    assert _find(by_code, COUNTY_UNIT)["match"] and _find(by_code, "演示交通工程有限公司") is None
    assert _tree(api, "unit_admin", q="养护") == []  # not in what they may see
    assert api.as_("auditor").get("/units?q=").status_code == 422
    assert api.as_("auditor").get("/units?scope=everything").status_code == 422


def test_the_tree_costs_two_queries_whatever_its_size(app, api, world, orgs):
    auditor = api.as_("auditor")
    auditor.get("/units")

    def cost() -> int:
        with statements(app) as seen:
            assert auditor.get("/units").status_code == 200
        return len([s for s in seen if s.lstrip().upper().startswith("SELECT")])
    before = cost()
    with app.app_context():
        for n in range(15):
            db.session.add(Organisation(name=f"演示批量单位{n:02d}", kind="unit", parent_id=world.city))
        db.session.commit()
    make_trainee(app, roles=[("trainee", world.unit2)])
    assert cost() == before == 3  # the token's actor, the organisations, the people counted


def test_a_unit_detail_names_its_administrators(api, world, orgs):
    detail = api.as_("authority_reviewer").get(f"/units/{orgs['empty']}").get_json()
    assert detail["name"] == EMPTY and detail["parent_name"] == "演示市交通运输局"
    assert detail["unit_type"] == "企业" and detail["industry"] == "交通运输"
    assert [(a["name"], a["super_admin"]) for a in detail["administrators"]] == [("空壳单位管理员", True)]
    assert detail["can_manage_departments"] is False and detail["can_remove"] is False  # a reviewer
    assert api.as_("authority_admin").get(f"/units/{orgs['empty']}").get_json()["can_remove"] is True
    assert api.as_("unit_admin").get(f"/units/{world.unit1}").get_json()["can_manage_departments"] is True
    for who, org in (("unit_admin", world.unit2), ("unit_admin", world.city), ("authority_reviewer_b", world.unit1)):
        assert api.as_(who).get(f"/units/{org}").status_code == 404
    assert api.as_("unit_admin").get("/units/999999").status_code == 404


# -- departments ---------------------------------------------------------------------------------

def _add(api, who: str, org: int, name: str, parent: int | None = None):
    return api.as_(who).post(f"/units/{org}/departments", json={"name": name, "parent_id": parent})


def test_departments_nest_with_unique_names_among_siblings(api, app, world, orgs):
    unit = world.unit1
    eng = _add(api, "unit_admin", unit, "工程部")
    assert eng.status_code == 201 and eng.get_json()["depth"] == 0
    eng = eng.get_json()["id"]
    road = _add(api, "unit_admin", unit, " 路基组 ", eng).get_json()
    assert (road["name"], road["parent_id"], road["depth"]) == ("路基组", eng, 1)
    same = _add(api, "unit_admin", unit, "工程部")
    assert same.status_code == 409 and "name" in same.get_json()["error"]["fields"]
    assert _add(api, "unit_admin", unit, "路基组").status_code == 201  # another level: allowed
    other = _add(api, "unit_admin_b", world.unit2, "养护部").get_json()["id"]
    foreign = _add(api, "unit_admin", unit, "外来组", other)
    assert foreign.status_code == 422 and "parent_id" in foreign.get_json()["error"]["fields"]
    loop = api.as_("unit_admin").patch(f"/units/{unit}/departments/{eng}", json={"parent_id": road["id"]})
    assert loop.status_code == 422
    deep = eng
    for n in range(5):  # 工程部 and four more levels
        made = _add(api, "unit_admin", unit, f"第{n}层", deep)
        deep = made.get_json()["id"] if made.status_code == 201 else deep
    assert made.status_code == 422  # five levels at most
    assert api.as_("unit_admin").post(f"/units/{unit}/departments", json={"name": ""}).status_code == 422
    listed = api.as_("unit_admin").get(f"/units/{unit}/departments").get_json()
    assert listed["can_manage"] and [d["name"] for d in listed["items"]][:3] == ["工程部", "第0层", "第1层"]


def test_two_administrators_adding_the_same_name_at_once_make_one_department(api, app, world, orgs):
    with app.app_context():
        db.session.add(RoleAssignment(user_id=world.user["authority_admin"], role="admin", org_id=world.unit1))
        db.session.commit()
    a, b = api.as_("unit_admin"), api.as_("authority_admin")  # log in before the race
    responses = run_together([lambda: a.post(f"/units/{world.unit1}/departments", json={"name": "安全部"}),
                              lambda: b.post(f"/units/{world.unit1}/departments", json={"name": "安全部"})])
    assert sorted(r.status_code for r in responses) == [201, 409], [r.get_json() for r in responses]
    assert [row[1] for row in departments_of(app, world.unit1)] == ["安全部"]


def test_disabling_needs_an_empty_department(api, app, world):
    unit = world.unit1
    eng = _add(api, "unit_admin", unit, "工程部").get_json()["id"]
    sub = _add(api, "unit_admin", unit, "路基组", eng).get_json()["id"]
    path = f"/units/{unit}/departments"
    busy = api.as_("unit_admin").patch(f"{path}/{eng}", json={"active": False})
    assert busy.status_code == 409 and busy.get_json()["error"]["code"] == "department_in_use"
    place(app, "unit_reviewer", sub)
    assert api.as_("unit_admin").patch(f"{path}/{sub}", json={"active": False}).status_code == 409
    place(app, "unit_reviewer", None)
    assert api.as_("unit_admin").patch(f"{path}/{sub}", json={"active": False}).get_json()["active"] is False
    assert _add(api, "unit_admin", unit, "桥梁组", sub).status_code == 422  # not under a disabled one
    assert api.as_("unit_admin").patch(f"{path}/{eng}", json={"active": False}).get_json()["active"] is False
    assert api.as_("unit_admin").patch(f"{path}/{sub}", json={"active": True}).status_code == 422  # parent first
    assert api.as_("unit_admin").patch(f"{path}/{eng}", json={"active": True}).status_code == 200
    renamed = api.as_("unit_admin").patch(f"{path}/{sub}", json={"active": True, "name": "路面组", "parent_id": None})
    assert renamed.status_code == 200 and (renamed.get_json()["name"], renamed.get_json()["depth"]) == ("路面组", 0)
    assert [row[1:] for row in departments_of(app, unit)] == [("工程部", None, True), ("路面组", None, True)]


def test_only_the_units_administrators_change_its_departments(api, app, world):
    eng = _add(api, "unit_admin", world.unit1, "工程部").get_json()["id"]
    before = departments_of(app, world.unit1)
    assert api.as_("authority_admin").get(f"/units/{world.unit1}/departments").get_json()["can_manage"] is False
    for who, status in (("authority_admin", 403), ("unit_reviewer", 403), ("unit_admin_b", 404), ("auditor", 403)):
        assert _add(api, who, world.unit1, "新部门").status_code == status, who
        changed = api.as_(who).patch(f"/units/{world.unit1}/departments/{eng}", json={"name": "改名"})
        assert changed.status_code == status, who
    assert api.as_("unit_admin_b").get(f"/units/{world.unit1}/departments").status_code == 404
    assert api.as_("unit_admin_b").patch(f"/units/{world.unit2}/departments/{eng}", json={"name": "x"}).status_code \
        == 404  # another unit's department through one's own unit
    assert departments_of(app, world.unit1) == before


def test_every_department_change_is_an_audit_event_with_old_and_new(api, app, world):
    path = f"/units/{world.unit1}/departments"
    eng = _add(api, "unit_admin", world.unit1, "工程部").get_json()["id"]
    api.as_("unit_admin").patch(f"{path}/{eng}", json={"name": "工程技术部"})
    api.as_("unit_admin").patch(f"{path}/{eng}", json={"active": False})
    api.as_("unit_admin").patch(f"{path}/{eng}", json={"active": True})
    api.as_("unit_admin").patch(f"{path}/{eng}", json={"name": "工程技术部"})  # nothing changes: no event
    recorded = events(app, "department")
    assert [e["action"] for e in recorded] == ["department_create", "department_edit", "department_disable",
                                               "department_enable"]
    assert {e["record_id"] for e in recorded} == {eng} and {e["org_id"] for e in recorded} == {world.unit1}
    assert recorded[0]["data"] == {"new": {"name": "工程部", "parent_id": None, "active": True}}
    assert recorded[1]["data"] == {"old": {"name": "工程部", "parent_id": None},
                                   "new": {"name": "工程技术部", "parent_id": None}}
    assert recorded[2]["data"] == {"old": {"active": True}, "new": {"active": False}}
    assert recorded[0]["actor"] == "工程公司管理员"


# -- subordinate units ---------------------------------------------------------------------------

def test_an_authority_lists_its_units_direct_and_deeper(api, world, orgs):
    listed = api.as_("authority_admin").get("/units?scope=subordinates").get_json()
    rows = {row["name"]: row for row in listed["items"]}
    assert set(rows) == {"演示交通工程有限公司", "演示公路养护有限公司", EMPTY, COUNTY_UNIT}
    assert rows[COUNTY_UNIT]["direct"] is False and rows[COUNTY_UNIT]["parent_name"] == COUNTY
    assert [a["name"] for a in rows["演示交通工程有限公司"]["administrators"]] == ["工程公司管理员"]
    typed = api.as_("authority_admin").get("/units?scope=subordinates&unit_type=企业&q=空壳").get_json()
    assert [row["name"] for row in typed["items"]] == [EMPTY]
    for who in ("authority_reviewer", "unit_admin", "auditor", T1):
        assert api.as_(who).get("/units?scope=subordinates").status_code == 403, who


def _transfer_to(api, unit: int):
    return api.as_("unit_reviewer_b").post("/transfers", json={
        "id_number": T3, "to_unit_id": unit, "reason": "工作调动", "contact_name": "王经理",
        "contact_phone": "0571-88888888"})


def test_removal_is_refused_while_the_unit_has_people_or_open_tasks(api, app, world, orgs):
    busy = api.as_("authority_admin").post(f"/units/{world.unit2}/remove", json={})
    assert busy.status_code == 409 and busy.get_json()["error"]["code"] == "unit_in_use"
    transfer = _transfer_to(api, orgs["empty"])
    assert transfer.status_code == 201
    waiting = api.as_("authority_admin").post(f"/units/{orgs['empty']}/remove", json={})
    assert waiting.status_code == 409 and "0" in waiting.get_json()["error"]["message"]  # nobody, one task
    assert "1" in waiting.get_json()["error"]["message"]
    with app.app_context():
        assert db.session.get(Organisation, orgs["empty"]).is_active
    cancel = api.as_("unit_reviewer_b").post(f"/transfers/{transfer.get_json()['id']}/cancel", json={"reason": "填错"})
    assert cancel.status_code == 200
    assert api.as_("authority_admin").post(f"/units/{orgs['empty']}/remove", json={}).status_code == 200
    assert events(app, "organisation")[0]["action"] == "unit_remove"


def test_only_an_authority_above_removes_a_unit(api, app, world, orgs):
    for who, status in (("authority_reviewer", 403), ("empty_admin", 403), ("unit_admin", 403), ("auditor", 403),
                        (T1, 403)):
        assert api.as_(who).post(f"/units/{orgs['empty']}/remove", json={}).status_code == status, who
    assert api.as_("authority_admin").post(f"/units/{world.city}/remove", json={}).status_code == 403  # itself
    assert api.as_("authority_admin").post("/units/999999/remove", json={}).status_code == 404
    assert events(app, "organisation") == []


def test_a_removed_unit_leaves_the_tree_and_the_pickers(api, app, world, orgs):
    removed = api.as_("authority_admin").post(f"/units/{orgs['county_unit']}/remove", json={"comment": "已注销"})
    assert removed.status_code == 200 and removed.get_json() == {"id": orgs["county_unit"], "name": COUNTY_UNIT,
                                                                 "active": False}
    event = events(app, "organisation")[0]
    assert (event["action"], event["record_id"], event["org_id"]) == ("unit_remove", orgs["county_unit"], world.city)
    admin_id = event["data"]["old"]["administrators"][0]
    assert event["data"]["old"]["active"] is True and event["data"]["new"] == {"active": False, "administrators": []}
    role_change = [e for e in events(app, "user") if e["record_id"] == admin_id]
    assert role_change[-1]["data"]["old"]["roles"] and role_change[-1]["data"]["new"]["roles"] == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(RoleAssignment.id))
                                 .where(RoleAssignment.org_id == orgs["county_unit"])) == 0
    assert _find(_tree(api, "authority_admin"), COUNTY)["children"] == []
    assert api.as_("authority_admin").get(f"/units/{orgs['county_unit']}").status_code == 404
    listed = api.as_("authority_admin").get("/units?scope=subordinates").get_json()["items"]
    assert COUNTY_UNIT not in [row["name"] for row in listed]
    assert api.as_("authority_admin").post(f"/units/{orgs['county_unit']}/remove", json={}).status_code == 404
    make_trainee(app)
    enrolment = {"year": date.today().year, "unit_id": orgs["county_unit"], **ENROLMENT_PROFILE}
    refused = api.as_(NEW_TRAINEE_ID).post("/enrollments", json=enrolment)
    assert refused.status_code == 422 and "unit_id" in refused.get_json()["error"]["fields"]
    assert _transfer_to(api, orgs["county_unit"]).status_code == 422


def test_the_consistency_check_holds_departments_and_removed_units(api, app, world, orgs):
    eng = _add(api, "unit_admin", world.unit1, "工程部").get_json()["id"]
    sub = _add(api, "unit_admin", world.unit1, "路基组", eng).get_json()["id"]
    api.as_("authority_admin").post(f"/units/{orgs['empty']}/remove", json={})
    with app.app_context():
        report = check_all()
        assert report.problems == [] and report.checked["departments"] == 2
        db.session.execute(db.update(Department).where(Department.id == eng).values(parent_id=sub, is_active=False))
        db.session.add(RoleAssignment(user_id=world.user["unit_reviewer"], role="reviewer", org_id=orgs["empty"]))
        db.session.commit()
        problems = [str(p) for p in check_all().problems]
    assert any("a cycle" in p for p in problems) and any("enabled under disabled" in p for p in problems)
    assert any(f"reviewer at removed organisation {orgs['empty']}" in p for p in problems)
