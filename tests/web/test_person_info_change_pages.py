"""The person-info-change pages: 我的资料 (ask, see the change waiting, 撤回), the unit's list, the task
page's old-against-new table, batch review in the inbox, and the locked enrolment form."""
from __future__ import annotations

import re
from datetime import date

from tests.support.person_info import asked, mine, printed, task_of
from tests.support.world import T1, T2, T3

FORM = {"name": "张伟", "phone": "13800000014", "identity_type": "国有企业", "political_status": "群众",
        "education": "大学本科", "title": "工程师", "title_date": "2018-06-30", "title_series": "工程技术",
        "specialty": "公路工程"}


def _rows(page: str) -> dict[str, tuple[bool, str, str]]:
    """The diff table: label -> (changed, 原值, 新值)."""
    table = page.split('class="table diff"', 1)[1].split("</table>", 1)[0]
    found = re.findall(r'<tr( class="changed" data-changed="true")?>\s*<th scope="row">([^<]+?)\s*'
                       r'(?:<span[^>]*>[^<]*</span>)?</th>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>', table, re.S)
    strip = lambda html: re.sub(r"<[^>]+>", "", html).strip()  # noqa: E731
    return {label: (bool(changed), strip(old), strip(new)) for changed, label, old, new in found}


def test_the_trainee_asks_for_a_change_and_sees_it_waiting(api, web):
    client = web(T1)
    assert 'href="/my/details"' in client.text("/enrollment")  # in the header
    page = client.text("/my/details")
    assert 'value="张伟"' in page and 'value="13800000014"' in page and 'value="2018-06-30"' in page
    response = client.post("/my/details", {**FORM, "title": "高级工程师", "specialty": "桥梁工程"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.follow(response).get_data(as_text=True)
    rows = _rows(page)
    assert rows["专业技术职务任职资格"] == (True, "工程师", "高级工程师")
    assert rows["现从事专业"] == (True, "公路工程", "桥梁工程")
    assert rows["职称系列"] == (True, "-", "工程技术")
    assert rows["姓名"] == (False, "张伟", "张伟") and rows["手机号码"][0] is False
    assert "待审核" in page and 'action="/my/details/withdraw"' in page and 'name="specialty"' not in page
    assert client.post("/my/details", FORM).status_code == 409  # one change waits at a time
    assert set(mine(api, T1)["pending"]["changes"]) == {"title", "specialty", "title_series"}


def test_a_bad_value_is_shown_next_to_its_field_and_nothing_is_asked(api, web):
    client = web(T1)
    client.get("/my/details")
    response = client.post("/my/details", {**FORM, "phone": "12345"})
    assert response.status_code == 422 and 'id="phone-error"' in response.get_data(as_text=True)
    future = client.post("/my/details", {**FORM, "title_date": "2999-01-01"})
    assert future.status_code == 422 and 'id="title_date-error"' in future.get_data(as_text=True)
    unchanged = client.post("/my/details", {**FORM, "title_series": ""})  # left empty: not part of a change
    assert unchanged.status_code == 409 and 'id="title_series-error"' not in unchanged.get_data(as_text=True)
    assert mine(api, T1)["pending"] is None


def test_withdrawing_from_the_page(api, web):
    change = asked(api, T1)
    client = web(T1)
    client.get("/my/details")
    forged = client.post("/my/details/withdraw", csrf=False)
    assert forged.status_code == 302  # no CSRF token: the "form expired" answer, nothing done
    assert api.as_(T1).get(f"/profile-changes/{change['id']}").get_json()["status"] == "pending"
    response = client.post("/my/details/withdraw")
    assert response.status_code == 302
    assert api.as_(T1).get(f"/profile-changes/{change['id']}").get_json()["status"] == "withdrawn"
    assert 'name="specialty"' in client.text("/my/details")  # the form is back


def test_the_reviewer_sees_old_against_new_on_the_task_page_and_approves(api, web):
    change = asked(api, T1)
    client = web("unit_reviewer")
    listed = client.text("/profile-changes")
    assert "张伟" in listed
    task_link = re.search(r'href="(/tasks/\d+)\?next=', listed).group(1)
    page = client.text(task_link)
    rows = _rows(page)
    assert rows["姓名"] == (True, "张伟", "张伟明") and rows["取得时间"] == (True, "2018-06-30", "2023-12-01")
    assert rows["最高学历"] == (False, "大学本科", "大学本科")
    assert client.post(f"{task_link}/complete", {"decision": "reject"}).status_code == 422  # 驳回 needs a reason
    done = client.post(f"{task_link}/complete", {"decision": "approve"})
    assert done.status_code == 302
    assert api.as_(T1).get(f"/profile-changes/{change['id']}").get_json()["status"] == "approved"
    detail = client.text(f"/profile-changes/{change['id']}")
    assert "审核通过" in detail and _rows(detail)["姓名"] == (True, "张伟", "张伟明")


def test_batch_reject_in_the_inbox_with_a_reason(api, web):
    changes = [asked(api, T1), asked(api, T2, specialty="桥梁工程")]
    tasks = [str(task_of(api, "unit_reviewer", c["id"])["id"]) for c in changes]
    client = web("unit_reviewer")
    assert all(t in client.text("/inbox?process=person_info_change") for t in tasks)
    without = client.post("/inbox/batch", {"task_ids": tasks, "decision": "reject", "confirmed": "1"})
    assert without.status_code == 422
    done = client.post("/inbox/batch", {"task_ids": tasks, "decision": "reject", "comment": "材料不全",
                                        "confirmed": "1"})
    assert done.status_code == 200
    assert [api.as_(who).get(f"/profile-changes/{c['id']}").get_json()["status"]
            for who, c in zip((T1, T2), changes, strict=True)] == ["rejected", "rejected"]


def test_who_may_open_which_page(api, web):
    change = asked(api, T1)
    assert web(T1).get("/profile-changes").status_code == 403
    assert web("unit_reviewer").get("/my/details").status_code == 403
    assert web("authority_reviewer").get("/profile-changes").status_code == 403
    assert web("unit_reviewer_b").get(f"/profile-changes/{change['id']}").status_code == 404
    assert "张伟" not in web("unit_reviewer_b").text("/profile-changes")
    assert web(T3).get(f"/profile-changes/{change['id']}").status_code == 403
    assert web("auditor").get(f"/profile-changes/{change['id']}").status_code == 200


def test_the_enrolment_form_refuses_locked_details_after_a_print(api, app, web, world):
    printed(api, app, T1)
    year = date.today().year + 1
    values = {k: v for k, v in mine(api, T1)["values"].items() if k not in ("name", "phone", "title_series")}
    created = api.as_(T1).post("/enrollments", json={"year": year, "unit_id": world.unit2, **values}).get_json()
    api.decide("unit_reviewer_b", created["id"], "reject", record_type="enrollment", comment="单位不符")
    client = web(T1)
    client.get(f"/enrollment?year={year}")
    response = client.post(f"/enrollment?year={year}", {**values, "unit_id": str(world.unit1), "title": "高级工程师"})
    assert response.status_code == 409
    assert "人员信息修改" in response.get_data(as_text=True)
    assert api.as_(T1).get(f"/enrollments/{created['id']}").get_json()["title"] == "工程师"
    assert 'data-locked="true"' in client.text("/my/details")
