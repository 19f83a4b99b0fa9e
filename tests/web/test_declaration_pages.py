"""Unit-declared hours on the pages: 学时申报 (declare for several staff), 查看申报记录 (tabs),
the record page, the authority's batch approval in the inbox and the person's read-only list."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest

from tests.integration.test_declarations import declared
from tests.support.files import exe, png
from tests.support.world import T1, T2

LAST_YEAR = date.today().year - 1


def _form(client, **changes) -> dict:
    page = client.text("/declarations/new")
    people = {name: pid for pid, name in re.findall(r'value="(\d+)"[^>]*>\s*<label[^>]*>([^（<]+)', page)}
    form = {"person_ids": [people["张伟"], people["李娜"]], "year": str(LAST_YEAR), "learning_form": "post_training",
            "school": "演示交通职业培训学院", "class_name": "公路养护岗位培训", "content": "路面养护",
            "starts_on": f"{LAST_YEAR}-05-06", "ends_on": f"{LAST_YEAR}-05-10", "score": "优秀", "hours": "24",
            "subject": "professional", "proofs": (io.BytesIO(png()), "结业证书.png")}
    form.update(changes)
    return form


def test_the_menu_and_who_may_open_the_unit_pages(web):
    page = web("unit_reviewer").text("/inbox")
    assert "学时申报" in page and "查看申报记录" in page
    assert "/declarations/new" not in web("authority_reviewer").text("/inbox")
    for who in ("authority_reviewer", T1, "provider_admin"):
        assert web(who).get("/declarations/new").status_code == 403, who
        assert web(who).get("/declarations").status_code == 403, who
    assert web().get("/declarations/new").status_code in (302, 401)


def test_the_form_shows_the_seeds_fields(web):
    page = web("unit_reviewer").text("/declarations/new")
    for word in ("选择申请人", "计入年度", "学习形式", "学校(单位)名称", "培训班名称", "学习内容", "开始日期",
                 "结束日期", "学习成绩", "申请学时", "计入科目", "附件", "提交申报", "岗位培训", "专业科目",
                 "提交岗位培训结业证书扫描件。", ".gif", "declaration-form.js"):
        assert word in page, word
    assert "张伟" in page and "李娜" in page and "王强" not in page and T1 not in page  # the unit's own, masked


def test_declaring_for_two_people(api, web):
    client = web("unit_reviewer")
    response = client.post("/declarations/new", _form(client), content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.follow(response).get_data(as_text=True)
    assert "已提交 2 条申报" in page and page.count("待审核") >= 3  # two rows and the tab
    items = api.as_("unit_reviewer").get("/declarations", query_string={"tab": "pending"}).get_json()["items"]
    assert {i["person"]["name"] for i in items[:2]} == {"张伟", "李娜"}


def test_a_missing_field_and_a_bad_file_show_next_to_their_fields(api, web):
    client = web("unit_reviewer")
    before = api.as_("unit_reviewer").get("/declarations").get_json()["total"]
    missing = client.post("/declarations/new", _form(client, score=""), content_type="multipart/form-data")
    assert missing.status_code == 422
    assert 'id="score-error"' in missing.get_data(as_text=True) and "学习形式为岗位培训时必填" in missing.get_data(
        as_text=True)
    bad = client.post("/declarations/new", _form(client, proofs=(io.BytesIO(exe()), "证书.png")),
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and 'id="proofs-error"' in bad.get_data(as_text=True)
    no_csrf = client.post("/declarations/new", {**_form(client), "csrf_token": "x"}, content_type="multipart/form-data")
    assert no_csrf.status_code == 302  # refused (the app redirects a stale form), nothing declared
    assert api.as_("unit_reviewer").get("/declarations").get_json()["total"] == before


@pytest.mark.parametrize("hours", ["NaN", "sNaN", "Infinity", "1e30", "0.04"])
def test_hours_that_are_no_number_of_hours_are_a_form_error(api, web, hours):
    client = web("unit_reviewer")
    before = api.as_("unit_reviewer").get("/declarations").get_json()["total"]
    response = client.post("/declarations/new", _form(client, hours=hours), content_type="multipart/form-data")
    assert response.status_code in (200, 422) and 'id="hours-error"' in response.get_data(as_text=True)
    assert api.as_("unit_reviewer").get("/declarations").get_json()["total"] == before


def test_a_body_over_the_app_limit_is_only_read_for_the_units_reviewer(web, app):
    limit = app.config["MAX_CONTENT_LENGTH"]

    def big() -> dict:
        return {"csrf_token": "x", "proofs": (io.BytesIO(b"\0" * (limit + 1024)), "a.png")}
    anonymous = web().client.post("/declarations/new", data=big(), content_type="multipart/form-data")
    assert anonymous.status_code == 413
    trainee = web(T1).client.post("/declarations/new", data=big(), content_type="multipart/form-data")
    assert trainee.status_code == 413
    reviewer = web("unit_reviewer").client.post("/declarations/new", data=big(), content_type="multipart/form-data")
    assert reviewer.status_code != 413  # read (and refused for its stale form), not cut off


def test_the_records_tabs_and_columns(api, web):
    refused = declared(api)[0]
    api.decide("authority_reviewer", refused["id"], "reject", record_type="declaration", comment="证书与培训班不符")
    client = web("unit_reviewer")
    page = client.text("/declarations")
    for word in ("全部", "待审核", "审核通过", "审核不通过", "姓名", "认定年度", "科目类型", "学习形式", "申报学时",
                 "认定学时", "当前处理人", "认定结果", "证书与培训班不符", "演示市交通运输局"):
        assert word in page, word
    refused_tab = client.text("/declarations?tab=refused")
    assert "证书与培训班不符" in refused_tab
    assert "审验发现学习记录与证明材料不符" in refused_tab  # the demo's revoked one
    assert "待审核</span>" not in refused_tab
    assert client.get("/declarations?tab=odd").status_code == 404


def test_the_authority_approves_in_batch_from_the_inbox(api, web):
    items = declared(api, id_numbers=[T1, T2])
    tasks = [api.task_for("authority_reviewer", i["id"], "declaration")["id"] for i in items]
    client = web("authority_reviewer")
    assert "学时审批" in client.text("/inbox")
    selected = {"task_ids": [str(t) for t in tasks], "decision": "approve", "confirmed": "1"}
    response = client.post("/inbox/batch", selected)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    for item in items:
        after = api.as_("unit_reviewer").get(f"/declarations/{item['id']}").get_json()
        assert (after["status"], after["hours_recognised"]) == ("approved", 24.0)
        assert api.task_for("authority_reviewer", item["id"], "declaration")["name"] == "学时审验"


def test_the_task_page_shows_the_record_and_verification_fails_with_a_reason(api, web):
    item = declared(api)[0]
    api.decide("authority_reviewer", item["id"], "approve", record_type="declaration")
    task = api.task_for("authority_reviewer", item["id"], "declaration")
    client = web("authority_reviewer")
    page = client.text(f"/tasks/{task['id']}")
    assert "张伟的学时申报" in page and "公路养护岗位培训" in page and "审验通过" in page and "审验不通过" in page
    no_reason = client.post(f"/tasks/{task['id']}/complete", {"decision": "fail"})
    assert no_reason.status_code == 422
    done = client.post(f"/tasks/{task['id']}/complete", {"decision": "fail", "comment": "查无培训记录"})
    assert done.status_code == 302
    record = web("unit_reviewer").text(f"/declarations/{item['id']}")
    assert "审验不通过" in record and "查无培训记录" in record and "需重新申报" in record


def test_the_person_sees_their_declarations_and_nobody_else_does(api, web):
    item = declared(api)[0]
    mine = web(T1).text("/declarations/mine")
    assert "审验不通过" in mine and "审验发现学习记录与证明材料不符" in mine  # the demo's revoked one
    assert f"/declarations/{item['id']}" in mine
    assert "单位申报学时" in web(T1).text("/inbox") or "单位申报学时" in web(T1).text("/")
    assert web(T1).get(f"/declarations/{item['id']}").status_code == 200
    for who in (T2, "unit_reviewer_b", "authority_reviewer_b"):
        assert web(who).get(f"/declarations/{item['id']}").status_code == 404, who
    assert f"/declarations/{item['id']}\"" not in web(T2).text("/declarations/mine")
