"""The pages: 组织架构树 (counts, search, expand/collapse), an organisation's page, 管理内设部门 (add, rename,
move, 禁用 / 启用; read-only for the authority) and 管理下级单位 (list, 删除 refused while in use, then done);
header links for the right hats, and nobody reaches another unit's departments."""
from __future__ import annotations

import html

import pytest
from flask_babel import gettext

from tests.support.organisations import COUNTY, COUNTY_UNIT, EMPTY, departments_of, events, more_orgs, place
from tests.support.world import T1


@pytest.fixture
def orgs(app, world) -> dict[str, int]:
    return more_orgs(app, world)


def t(app, msgid: str, **values) -> str:
    """A message as the pages show it (Chinese by default, once translated)."""
    with app.test_request_context("/"):
        return html.escape(gettext(msgid, **values), quote=False)


def test_an_authority_administrator_browses_the_tree(app, web, world, orgs):
    client = web("authority_admin")
    menu = client.text("/inbox")
    assert 'href="/organisations"' in menu and 'href="/subordinate-units"' in menu and 'href="/departments"' in menu
    page = client.text("/organisations")
    assert page.count("<details") >= 2 and "演示交通工程有限公司" in page and COUNTY_UNIT in page
    assert "演示市建设局" not in page  # not in the city's subtree
    assert t(app, "People: %(n)s", n=5) in page and t(app, "Sub-units: %(n)s", n=4) in page
    found = client.text("/organisations?q=路桥")
    assert "<mark>" + COUNTY_UNIT + "</mark>" in found and COUNTY in found and "演示公路养护有限公司" not in found
    assert t(app, "No organisation matches.") in client.text("/organisations?q=没有这个单位")
    detail = client.text(f"/organisations/{orgs['empty']}")
    assert EMPTY in detail and "空壳单位管理员" in detail and t(app, "Super administrator") in detail
    assert "交通运输" in detail


def test_a_units_administrator_manages_its_departments(app, web, world):
    client = web("unit_admin")
    menu = client.text("/inbox")
    assert 'href="/departments"' in menu and 'href="/organisations"' in menu
    assert 'href="/subordinate-units"' not in menu
    start = client.get("/departments")
    assert start.status_code == 302 and start.headers["Location"].endswith(f"/organisations/{world.unit1}/departments")
    path = f"/organisations/{world.unit1}/departments"
    added = client.post(path, {"name": "工程部", "parent_id": "0"})
    assert t(app, "Department “%(name)s” added.", name="工程部") in client.follow(added).get_data(as_text=True)
    eng = departments_of(app, world.unit1)[0][0]
    client.post(path, {"name": "路基组", "parent_id": str(eng)})
    again = client.post(path, {"name": "工程部", "parent_id": "0"})
    assert again.status_code == 409 and t(app, "Choose another name.") in again.get_data(as_text=True)
    assert client.post(path, {"name": "", "parent_id": "0"}).status_code == 422
    sub = departments_of(app, world.unit1)[1][0]
    place(app, "unit_reviewer", sub)
    refused = client.post(f"{path}/{sub}", {"name": "路基组", "parent_id": str(eng)})  # no "active": 禁用
    message = t(app, "“%(name)s” still has %(subs)s enabled sub-departments and %(people)s people: move or "
                     "disable them first.", name="路基组", subs=0, people=1)
    assert message in client.follow(refused).get_data(as_text=True)
    assert departments_of(app, world.unit1)[1][3] is True  # someone works there
    place(app, "unit_reviewer", None)
    saved = client.post(f"{path}/{sub}", {"name": "路面组", "parent_id": "0"})
    assert t(app, "Department saved.") in client.follow(saved).get_data(as_text=True)
    assert [row[1:] for row in departments_of(app, world.unit1)] == [("工程部", None, True), ("路面组", None, False)]
    assert [e["action"] for e in events(app, "department")] == ["department_create", "department_create",
                                                                "department_edit", "department_disable"]


def test_others_read_or_are_refused(app, web, world):
    web("unit_admin").post(f"/organisations/{world.unit1}/departments", {"name": "工程部", "parent_id": "0"})
    before = departments_of(app, world.unit1)
    path = f"/organisations/{world.unit1}/departments"
    authority = web("authority_admin")
    page = authority.text(path)
    assert "工程部" in page and 'name="csrf_token"' not in page.split("</table>")[0].split("<table")[1]
    assert authority.post(path, {"name": "安全部", "parent_id": "0"}).status_code == 403
    other = web("unit_admin_b")
    assert other.get(path).status_code == 404 and other.get(f"/organisations/{world.unit1}").status_code == 404
    assert other.post(path, {"name": "安全部", "parent_id": "0"}).status_code == 404
    assert other.post(f"{path}/{before[0][0]}", {"name": "改名", "parent_id": "0"}).status_code == 404
    assert web("auditor").post(path, {"name": "安全部", "parent_id": "0"}).status_code == 403
    assert web("auditor").get("/organisations").status_code == 200
    assert web(T1).get("/organisations").status_code == 403
    assert web("unit_reviewer").get("/subordinate-units").status_code == 403
    assert web("unit_reviewer").get("/departments").status_code == 403
    no_token = web("unit_admin").post(path, {"name": "安全部", "parent_id": "0"}, csrf=False)
    assert no_token.status_code == 302  # the form expired: back, nothing saved
    assert departments_of(app, world.unit1) == before


def test_an_authority_removes_an_empty_subordinate_unit(app, web, world, orgs):
    client = web("authority_admin")
    page = client.text("/subordinate-units")
    for name in ("演示交通工程有限公司", "演示公路养护有限公司", EMPTY, COUNTY_UNIT):
        assert name in page
    assert "工程公司管理员" in page and "data-confirm" in page
    assert EMPTY in client.text("/subordinate-units?q=空壳&unit_type=企业")
    assert "演示交通工程有限公司" not in client.text("/subordinate-units?q=空壳")
    busy = client.follow(client.post(f"/subordinate-units/{world.unit2}/remove", {}))
    assert "演示公路养护有限公司" in busy.get_data(as_text=True) and events(app, "organisation") == []
    assert f'action="/subordinate-units/{orgs["empty"]}/remove"' in client.text(f"/organisations/{orgs['empty']}")
    assert "/remove" not in web("authority_reviewer").text(f"/organisations/{orgs['empty']}")
    done = client.follow(client.post(f"/subordinate-units/{orgs['empty']}/remove", {"comment": "已注销"}))
    assert t(app, "Unit “%(name)s” removed.", name=EMPTY) in done.get_data(as_text=True)
    assert f'data-unit="{orgs["empty"]}"' not in done.get_data(as_text=True)
    assert EMPTY not in client.text("/organisations")
    assert client.get(f"/organisations/{orgs['empty']}").status_code == 404
    assert web("unit_admin").post(f"/subordinate-units/{orgs['county_unit']}/remove", {}).status_code == 403
    assert [e["action"] for e in events(app, "organisation")] == ["unit_remove"]
