"""修改单位信息 for a unit's administrator; 审核机构信息修改 (待审核 / 已审核, 批量通过 / 驳回) for its authority."""
from __future__ import annotations

import re

from app.extensions import db
from app.models import Organisation
from tests.support.world import T1

CODE = "91330100MA2AAAAA1E"
NEW_NAME = "演示公路养护集团有限公司"


def _ask(api, world, **body) -> dict:
    response = api.as_("unit_admin_b").post(f"/units/{world.unit2}/changes",
                                            json={"name": NEW_NAME, "code": CODE, "reason": "工商变更", **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _rows(page: str) -> str:
    return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def _org(app, org_id: int) -> tuple[str, str | None]:
    with app.app_context():
        org = db.session.get(Organisation, org_id)
        return org.name, org.code


def test_asking_on_the_form_and_following_it(app, web, world):
    client = web("unit_admin_b")
    page = client.text("/org/info-change")
    assert "演示公路养护有限公司" in page and "演示市交通运输局" in page and 'name="code"' in page
    bad = client.post("/org/info-change", {"name": "", "code": "91330100MA2AAAAA1X", "reason": "工商变更"})
    assert bad.status_code == 422 and 'name="code"' in bad.get_data(as_text=True)
    none = client.post("/org/info-change", {"name": "演示公路养护有限公司", "code": "", "reason": "工商变更"})
    assert none.status_code == 422
    taken = client.post("/org/info-change", {"name": "演示交通工程有限公司", "code": "", "reason": "工商变更"})
    assert taken.status_code == 422
    response = client.post("/org/info-change", {"name": NEW_NAME, "code": CODE.lower(), "reason": "工商变更"})
    assert response.status_code == 302
    detail = client.follow(response).get_data(as_text=True)
    assert "待审核" in detail and NEW_NAME in detail and CODE in detail and "上级部门审核" in detail
    again = client.text("/org/info-change")
    assert 'name="code"' not in again  # nothing more to ask while one waits
    assert NEW_NAME in _rows(again) and "/cancel" in _rows(again)
    assert 'name="new_parent_id"' not in client.text("/org/parent-change")  # nor a change of parent
    assert _org(app, world.unit2) == ("演示公路养护有限公司", None)


def test_the_authority_approves_in_a_batch_and_the_unit_is_renamed(api, app, web, world):
    change = _ask(api, world)
    reviewer = web("authority_reviewer")
    pending = reviewer.text("/org/changes")
    assert "演示公路养护有限公司" in _rows(pending) and NEW_NAME in _rows(pending) and CODE in _rows(pending)
    task_id = re.search(r'name="task_ids" value="(\d+)"', pending).group(1)
    assert 'action="/inbox/batch"' in pending
    confirm = reviewer.post("/inbox/batch", {"task_ids": [task_id], "decision": "approve",
                                             "next": "/org/changes"})
    assert confirm.status_code == 200 and NEW_NAME in confirm.get_data(as_text=True)
    assert _org(app, world.unit2) == ("演示公路养护有限公司", None)  # nothing before confirming
    done = reviewer.post("/inbox/batch", {"task_ids": [task_id], "decision": "approve", "confirmed": "1",
                                          "next": "/org/changes"})
    assert done.status_code == 200
    assert _org(app, world.unit2) == (NEW_NAME, CODE)
    assert NEW_NAME not in _rows(reviewer.text("/org/changes"))
    reviewed = _rows(reviewer.text("/org/changes?tab=reviewed"))
    assert NEW_NAME in reviewed and "审核通过" in reviewed
    assert api.as_("unit_admin_b").get(f"/unit-changes/{change['id']}").get_json()["status"] == "approved"


def test_turning_down_in_a_batch_needs_a_reason(api, app, web, world):
    change = _ask(api, world)
    reviewer = web("authority_reviewer")
    task_id = re.search(r'name="task_ids" value="(\d+)"', reviewer.text("/org/changes")).group(1)
    bare = reviewer.post("/inbox/batch", {"task_ids": [task_id], "decision": "reject", "confirmed": "1"})
    assert bare.status_code == 422
    assert api.as_("unit_admin_b").get(f"/unit-changes/{change['id']}").get_json()["status"] == "pending"
    done = reviewer.post("/inbox/batch", {"task_ids": [task_id], "decision": "reject", "confirmed": "1",
                                          "comment": "证照不符"})
    assert done.status_code == 200
    after = api.as_("unit_admin_b").get(f"/unit-changes/{change['id']}").get_json()
    assert (after["status"], after["refusal_reason"]) == ("rejected", "证照不符")
    assert _org(app, world.unit2) == ("演示公路养护有限公司", None)
    assert "已驳回" in _rows(reviewer.text("/org/changes?tab=reviewed"))


def test_cancelled_from_the_list_it_leaves_no_row_behind(api, app, web, world):
    change = _ask(api, world)
    client = web("unit_admin_b")
    client.text("/org/info-change")
    response = client.post(f"/org/changes/{change['id']}/cancel", {"next": "/org/info-change"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/org/info-change")
    mine = _rows(client.text("/org/info-change"))
    assert "已撤销" in mine and "/cancel" not in mine  # the unit keeps its own record
    reviewer = web("authority_reviewer")
    for tab in ("", "?tab=reviewed"):
        assert NEW_NAME not in _rows(reviewer.text("/org/changes" + tab)), tab
    assert NEW_NAME not in reviewer.text("/inbox")
    assert _org(app, world.unit2) == ("演示公路养护有限公司", None)


def test_who_may_open_these_pages(api, web, world):
    assert web("unit_reviewer_b").get("/org/info-change").status_code == 403  # a reviewer, not an administrator
    assert web(T1).get("/org/info-change").status_code == 403
    assert 'href="/org/info-change"' in web("unit_admin_b").text("/inbox")
    assert 'href="/org/info-change"' not in web("unit_reviewer_b").text("/inbox")
    change = _ask(api, world)
    assert web("unit_admin").get(f"/org/changes/{change['id']}").status_code == 404  # another unit
    assert web("authority_reviewer_b").get(f"/org/changes/{change['id']}").status_code == 404  # another authority
    assert NEW_NAME not in web("authority_reviewer_b").text("/org/changes")
    other = web("unit_admin")
    other.text("/org/info-change")
    assert other.post(f"/org/changes/{change['id']}/cancel").status_code == 302
    assert api.as_("unit_admin_b").get(f"/unit-changes/{change['id']}").get_json()["status"] == "pending"
