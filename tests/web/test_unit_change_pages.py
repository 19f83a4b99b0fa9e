"""更换上级部门 for an organisation, 审核机构信息修改 for its authorities."""
from __future__ import annotations

import re

from tests.support.world import T1


def test_asking_for_a_new_parent_and_following_it(api, web, world):
    client = web("unit_reviewer_b")
    page = client.text("/org/parent-change")
    assert "演示市交通运输局" in page and f'<option value="{world.city_b}">演示市建设局' in page
    assert f'<option value="{world.city}">' not in page  # not the current parent
    response = client.post("/org/parent-change", {"new_parent_id": str(world.city_b), "reason": "业务划转"})
    assert response.status_code == 302
    detail = client.follow(response).get_data(as_text=True)
    assert "等待原上级审核 / 等待新上级审核" in detail
    assert "原上级审核" in detail and "新上级审核" in detail  # both reviews listed, each with its authority
    again = client.text("/org/parent-change")
    assert "已有申请" in again or "等待" in again
    assert 'name="new_parent_id"' not in again  # nothing more to ask while one waits


def test_both_authorities_review_in_their_own_list(api, web, world):
    change = api.as_("unit_reviewer_b").post(f"/units/{world.unit2}/parent-change",
                                             json={"new_parent_id": world.city_b, "reason": "划转"}).get_json()
    old = web("authority_reviewer")
    pending = old.text("/org/changes")
    assert "演示公路养护有限公司" in pending and "审核机构信息修改" in pending
    task_link = re.search(r'href="(/tasks/\d+)\?next=', pending).group(1)
    assert old.post(f"{task_link}/complete", {"decision": "approve"}).status_code == 302
    assert "演示公路养护有限公司" not in old.text("/org/changes").split("<tbody>", 1)[1]
    assert "演示公路养护有限公司" in old.text("/org/changes?tab=reviewed")
    new = web("authority_reviewer_b")
    assert "等待新上级审核" in new.text("/org/changes")
    assert api.as_("unit_reviewer_b").get(f"/unit-changes/{change['id']}").get_json()["status"] == "pending"


def test_a_cancelled_request_leaves_no_row_behind(api, web, world):
    change = api.as_("unit_reviewer_b").post(f"/units/{world.unit2}/parent-change",
                                             json={"new_parent_id": world.city_b, "reason": "划转"}).get_json()
    api.decide("authority_reviewer", change["id"], "approve", record_type="unit_change")
    client = web("unit_reviewer_b")
    assert client.post(f"/org/changes/{change['id']}/cancel").status_code == 302
    for tab in ("", "?tab=reviewed"):
        for who in ("authority_reviewer", "authority_reviewer_b"):
            body = web(who).text("/org/changes" + tab).split("<tbody>", 1)[1]
            assert "演示公路养护有限公司" not in body, (who, tab)
    assert "已撤销" in client.text(f"/org/changes/{change['id']}")  # the unit keeps its own record


def test_who_may_open_these_pages(web, world):
    assert web(T1).get("/org/parent-change").status_code == 403
    assert web(T1).get("/org/changes").status_code == 403
    assert "更换上级部门" in web("unit_reviewer").text("/inbox")
    assert "审核机构信息修改" in web("authority_reviewer").text("/inbox")
    assert "审核机构信息修改" not in web("unit_reviewer").text("/inbox")


def test_the_change_page_has_one_heading_with_its_status(api, web, world):
    change = api.as_("unit_reviewer_b").post(f"/units/{world.unit2}/parent-change", json={
        "new_parent_id": world.city_b, "reason": "业务划归建设局管理"}).get_json()
    page = web("unit_reviewer_b").text(f"/org/changes/{change['id']}")
    assert len(re.findall(r"<h1\b", page)) == 1
    assert "等待原上级审核 / 等待新上级审核" in re.search(r"<h1.*?</h1>", page, re.S).group(0)
    assert "审核状态" in page and "登记状态" not in page
    # a change carries no attachments: its task page has no empty attachments section
    task = api.task_for("authority_reviewer", change["id"], "unit_change")
    task_page = web("authority_reviewer").text(f"/tasks/{task['id']}")
    assert "更换上级部门" in task_page and "files-heading" not in task_page
