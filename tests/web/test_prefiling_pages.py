"""A provider's filing pages: the list, the form (临时保存 / 保存, rows added), one filing with
its attachments, 提交, the stamped form, and what the reviewers see."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from app.clock import today
from app.processes.provider_prefiling.demo import payload
from tests.integration.test_provider_prefilings import _decide, _submitted
from tests.support.files import png
from tests.support.world import T1


def _form(days_ahead: int = 30, **changes) -> dict:
    """The filing form's fields as the page posts them (rows as name-i-column)."""
    body = payload("页面培训班", today() + timedelta(days=days_ahead), 3)
    form = {key: str(value) for key, value in body.items() if not isinstance(value, list)}
    for name in ("scope", "courses", "teachers", "textbooks"):
        for i, row in enumerate(body[name]):
            form.update({f"{name}-{i}-{column}": str(value) for column, value in row.items()})
    form.update(changes)
    return form


def test_providers_get_the_filing_pages_in_their_menu(web):
    assert 'href="/filings"' in web("provider_admin").text("/inbox")
    assert 'href="/filings"' not in web("unit_reviewer").text("/inbox")
    for who in ("unit_reviewer", T1, "supervisor_reviewer"):
        assert web(who).get("/filings").status_code == 403
        assert web(who).get("/filings/new").status_code == 403


def test_the_list_shows_each_filing_and_where_it_is(web):
    page = web("provider_admin").text("/filings")
    assert "备案进度查询" in page and "新增备案" in page and ">详情<" in page  # seed 004: 点击“详情”
    assert "备案通过" in page and "待主管单位审核" in page  # the demo's two filings
    assert "公路养护新技术专题培训班" not in web("provider_admin_b").text("/filings")


def test_a_temporary_save_then_a_full_save_then_submit(web):
    client = web("provider_admin")
    page = client.text("/filings/new")
    assert "临时保存" in page and "请您务必在半小时内进行一次临时保存" in page
    response = client.post("/filings/new", {"class_name": "只填名称", "action": "temporary", "scope-0-series": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    detail = client.follow(response).get_data(as_text=True)
    assert "只填名称" in detail and "未提交" in detail and "临时保存" in detail
    filing_id = int(re.search(r"/filings/(\d+)/edit", detail).group(1))
    # a full save names what is missing, next to each field, and keeps what was typed
    response = client.post(f"/filings/{filing_id}/edit", {"class_name": "只填名称", "venue": "三楼", "action": "save"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="f-head_mobile-error"' in text and 'value="三楼"' in text
    response = client.post(f"/filings/{filing_id}/edit", {**_form(), "action": "save"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    for kind in ("plan", "notice", "invitation"):
        uploaded = client.post(f"/filings/{filing_id}/files",
                               {"kind": kind, "file": (io.BytesIO(png()), f"{kind}.png")},
                               content_type="multipart/form-data")
        assert uploaded.status_code == 302
    detail = client.text(f"/filings/{filing_id}")
    assert detail.count("proof-preview") == 3 and "plan.png" in detail
    submitted = client.follow(client.post(f"/filings/{filing_id}/submit", {})).get_data(as_text=True)
    assert "待主管单位审核" in submitted and f"/filings/{filing_id}/edit" not in submitted
    assert web("provider_admin").get(f"/filings/{filing_id}/edit").status_code == 302  # read-only now


def test_adding_a_row_keeps_what_was_typed(web):
    client = web("provider_admin")
    response = client.post("/filings/new", {**_form(), "add": "courses"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'name="courses-2-content"' in text and 'value="公路工程新规范解读"' in text


def test_a_bad_row_shows_its_problem_in_the_row(web):
    client = web("provider_admin")
    response = client.post("/filings/new", {**_form(), "courses-0-hours": "很多", "action": "save"})
    assert response.status_code == 422
    assert re.search(r'class="has-error">\s*<input name="courses-0-hours"', response.get_data(as_text=True))


def test_submitting_too_late_says_why(web):
    client = web("provider_admin")
    response = client.post("/filings/new", {**_form(days_ahead=5), "action": "save"})
    filing_id = int(re.search(r"/filings/(\d+)", response.headers["Location"]).group(1))
    for kind in ("plan", "notice", "invitation"):
        client.post(f"/filings/{filing_id}/files", {"kind": kind, "file": (io.BytesIO(png()), "a.png")},
                    content_type="multipart/form-data")
    page = client.follow(client.post(f"/filings/{filing_id}/submit", {})).get_data(as_text=True)
    assert "至少 15 日" in page and "未提交" in page


def test_the_stamp_step_and_the_reviewers_view(api, web):
    filing = _submitted(api)
    _decide(api, "supervisor_reviewer", filing["id"], "approve")
    client = web("provider_admin")
    page = client.text(f"/filings/{filing['id']}")
    assert "盖章申报表" in page and "下载申报表" in page
    pdf = client.get(f"/filings/{filing['id']}/form.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    client.post(f"/filings/{filing['id']}/files", {"kind": "stamped_form", "file": (io.BytesIO(png()), "盖章.png")},
                content_type="multipart/form-data")
    sent = client.follow(client.post(f"/filings/{filing['id']}/submit", {})).get_data(as_text=True)
    assert "待主管单位报送" in sent
    task = api.task_for("supervisor_reviewer", filing["id"], "prefiling")
    task_page = web("supervisor_reviewer").text(f"/tasks/{task['id']}")
    assert "测试培训班" in task_page and "报送人社部门" in task_page and "回退" in task_page
    assert "公路工程新规范解读" in task_page  # the courses, on the shared task page


def test_the_forms_need_the_csrf_token(api, web):
    filing_id = api.as_("provider_admin").post("/filings?temporary=true", json={"class_name": "草稿"}).get_json()["id"]
    before = api.as_("provider_admin").get("/filings").get_json()["total"]
    client = web("provider_admin")
    for path, body in (("/filings/new", {**_form(), "action": "save"}), (f"/filings/{filing_id}/submit", {}),
                       (f"/filings/{filing_id}/delete", {})):
        response = client.post(path, body, csrf=False)
        assert response.status_code == 302, path  # refused: back with a message, nothing done
    assert api.as_("provider_admin").get("/filings").get_json()["total"] == before
    assert api.as_("provider_admin").get(f"/filings/{filing_id}").get_json()["status"] == "draft"
