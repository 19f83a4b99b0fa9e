"""The trainee's 学时增补 pages: the list (已处理 / 未处理), the request form limited to eligible routes,
one supplement with its entries, proofs and the 个人保存 / 个人上报 / 撤销增补 buttons, and the record on
the shared task page."""
from __future__ import annotations

import io
import re

import pytest

from tests.integration.test_supplementary import at, next_january
from tests.support.files import png
from tests.support.world import T1, T2


@pytest.fixture
def january(app, api, clock) -> int:
    return next_january(app, api, clock)


def _record_id(location: str) -> int:
    return int(re.search(r"/supplementary/(\d+)", location).group(1))


def _asked(client) -> int:
    response = client.post("/supplementary", {"route": "exam"})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    return _record_id(response.headers["Location"])


def test_the_request_form_offers_only_eligible_routes(web, api, january):
    client = web(T1)
    page = client.text("/supplementary")
    assert "学时增补" in page and 'href="/supplementary"' in page  # the header's link
    assert re.findall(r'<option[^>]*value="([a-z_]+)"', page) == ["exam"]
    assert "参加资格证书考试" in page and "暂无增补申请" in page
    refused = client.post("/supplementary", {"route": "paper"})  # not offered: a form error, nothing made
    assert refused.status_code == 422 and "暂无增补申请" in refused.get_data(as_text=True)
    record_id = _asked(client)
    listing = client.text("/supplementary")
    assert "未处理" in listing and "个人申请中" in listing
    assert 'name="route"' not in listing and "没有可增补的类别" in listing  # exam is asked for already
    assert api.decide("unit_reviewer", record_id, "agree", "supplementary").status_code == 200
    assert "已处理" in client.text("/supplementary")
    other = web(T2).text("/supplementary")  # nothing approved last year: nothing to offer
    assert "没有可增补的类别" in other and 'name="route"' not in other


def test_entries_proofs_report_on_the_detail_page(web, api, january):
    client = web(T1)
    record_id = _asked(client)
    page = client.text(f"/supplementary/{record_id}")
    assert "撤销增补" in page and "个人上报" not in page  # the unit has not agreed yet: nothing to add
    api.decide("unit_reviewer", record_id, "agree", "supplementary")
    page = client.text(f"/supplementary/{record_id}")
    assert "同意" in page and "个人保存" in page and "个人上报" in page and "撤销增补" in page

    bad = client.post(f"/supplementary/{record_id}/entries",
                      {"title": "培训", "starts_on": f"{january + 1}-01-02", "ends_on": f"{january + 1}-01-03",
                       "hours": "8"})
    assert bad.status_code == 422 and f"增补只针对{january}年度" in bad.get_data(as_text=True)
    for hours in ("sNaN", "NaN", "-Infinity"):
        odd = client.post(f"/supplementary/{record_id}/entries",
                          {"title": "培训", "starts_on": f"{january}-03-01", "ends_on": f"{january}-03-02",
                           "hours": hours})
        assert odd.status_code == 422 and "请输入数字" in odd.get_data(as_text=True)
    saved = client.post(f"/supplementary/{record_id}/entries",
                        {"title": "公路工程<b>培训</b>", "starts_on": f"{january}-03-01",
                         "ends_on": f"{january}-03-02", "hours": "8"})
    assert saved.status_code == 302
    uploaded = client.client.post(f"/supplementary/{record_id}/files", content_type="multipart/form-data",
                                  data={"csrf_token": client.token, "description": "结业证书",
                                        "file": (io.BytesIO(png()), "证书.png")})
    assert uploaded.status_code == 302
    page = client.text(f"/supplementary/{record_id}")
    assert "公路工程&lt;b&gt;培训&lt;/b&gt;" in page and "<b>培训" not in page  # escaped
    assert "结业证书" in page and "8.0" in page

    reported = client.follow(client.post(f"/supplementary/{record_id}/submit"))
    text = reported.get_data(as_text=True)
    assert "已上报" in text and "个人上报" in text and "撤销增补" not in text
    assert api.as_(T1).get(f"/supplementary/{record_id}").get_json()["status"] == "reported"


def test_the_unit_sees_the_record_on_the_task_page(web, api, january):
    record_id = _asked(web(T1))
    task = api.task_for("unit_reviewer", record_id, "supplementary")
    page = web("unit_reviewer").text(f"/tasks/{task['id']}")
    assert "张伟" in page and "参加资格证书考试" in page and "同意增补" in page and "拒绝增补" in page


def test_the_window_closed_shows_no_form(web, api, january, clock):
    at(api, clock, 1, 21, year=january + 1)
    page = web(T1).text("/supplementary")
    assert "只能在1月1日至1月20日申请增补" in page and 'name="route"' not in page
    late = web(T1).post("/supplementary", {"route": "exam"})
    assert late.status_code == 409 and "每年1月1日至1月20日方可增补上一年度学时" in late.get_data(as_text=True)


def test_csrf_and_who_may_open(web, api, january):
    client = web(T1)
    record_id = _asked(client)
    for path in ("/supplementary", f"/supplementary/{record_id}/cancel", f"/supplementary/{record_id}/submit"):
        assert client.post(path, {"route": "exam"}, csrf=False).status_code == 302  # refused, sent back
    assert api.as_(T1).get("/supplementary").get_json()["total"] == 1
    assert web(T2).get(f"/supplementary/{record_id}").status_code == 404
    assert web(T2).post(f"/supplementary/{record_id}/cancel").status_code == 302
    assert api.as_(T1).get(f"/supplementary/{record_id}").get_json()["status"] == "requested"
    assert web("unit_reviewer").get("/supplementary").status_code == 403
    assert web().get("/supplementary").status_code in (302, 401)
    cancelled = client.follow(client.post(f"/supplementary/{record_id}/cancel"))
    assert "已撤销增补" in cancelled.get_data(as_text=True)
