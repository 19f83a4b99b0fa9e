"""The trainee's pages: home, claim form with proofs, submit / withdraw / delete, enrolment."""
from __future__ import annotations

import io
import re
from datetime import date

from tests.support.files import exe, pdf, png
from tests.support.people import NEW_TRAINEE_ID, make_trainee
from tests.support.world import T1, T3

YEAR = date.today().year
SEMINAR = {"title": "【市级】参加某某市交通运输类高研班", "route": "seminar", "seminar_level": "city",
           "hours_requested": "24"}


def _claim_id(location: str) -> int:
    return int(re.search(r"/claims/(\d+)", location).group(1))


def _new_claim(client, **fields) -> int:
    response = client.post("/claims/new", {**SEMINAR, **fields, "action": "save"})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    return _claim_id(response.headers["Location"])


def _upload(client, claim_id, data, name, description="开班通知", json=True):
    headers = {"Accept": "application/json"} if json else {}
    return client.client.post(f"/claims/{claim_id}/files", headers=headers, content_type="multipart/form-data",
                              data={"csrf_token": client.token, "description": description,
                                    "file": (io.BytesIO(data), name)})


def test_home_shows_hours_window_claims_and_rules(web, api):
    api.new_claim(T1, title="【省级】一级建造师考试")
    page = web(T1).text("/me")
    assert f"{YEAR}-01-01" in page and f"{YEAR}-12-31" in page
    assert "【省级】一级建造师考试" in page and "未提交" in page
    assert "每个途径每年度最多可计 36 个学时" in page and "每个合格科目可认定登记8个学时" in page
    assert "0.0" in page and "90.0" in page  # hours against the requirement


def test_new_claim_then_edit_upload_submit_and_withdraw(web, api):
    client = web(T1)
    page = client.text("/claims/new")
    for route in ("exam", "seminar", "training", "research", "paper", "degree_course"):
        assert f'data-route="{route}"' in page  # every route's inputs are there without JavaScript
    claim_id = _new_claim(client)
    assert api.claim(T1, claim_id)["hours_suggested"] == 24.0
    assert _upload(client, claim_id, pdf(), "通知.pdf").status_code == 201
    assert _upload(client, claim_id, png(), "签到表.png", "签到表").status_code == 201
    response = client.post(f"/claims/{claim_id}", {**SEMINAR, "hours_requested": "20", "action": "submit"})
    assert response.status_code == 302
    claim = api.claim(T1, claim_id)
    assert claim["status"] == "unit_review" and claim["hours_requested"] == 20.0 and len(claim["files"]) == 2
    page = client.text(f"/claims/{claim_id}")
    assert "等待单位审核" in page and "撤回申请" in page and "提交审核" in page
    assert client.post(f"/claims/{claim_id}/withdraw").status_code == 302
    assert api.claim(T1, claim_id)["status"] == "draft"


def test_errors_are_shown_next_to_the_field_and_input_is_kept(web, api):
    client = web(T1)
    missing = client.post("/claims/new", {**SEMINAR, "title": "", "action": "save"})
    assert missing.status_code == 422 and 'id="title-error"' in missing.get_data(as_text=True)
    bad_rank = client.post("/claims/new", {"title": "课题研究", "route": "research", "research_level": "city",
                                           "research_rank": "7", "hours_requested": "12", "action": "save"})
    text = bad_rank.get_data(as_text=True)
    assert bad_rank.status_code == 422 and 'id="research_rank-error"' in text and "前 5 名" in text
    assert 'value="课题研究"' in text  # what the trainee typed stays
    over = client.post("/claims/new", {**SEMINAR, "hours_requested": "40", "action": "save"})
    assert over.status_code == 422 and 'id="hours_requested-error"' in over.get_data(as_text=True)
    assert api.as_(T1).get("/claims").get_json()["total"] == 0


def test_bad_uploads_say_why_and_store_nothing(web, api):
    client = web(T1)
    claim_id = _new_claim(client)
    renamed = _upload(client, claim_id, exe(), "证书.pdf")
    assert renamed.status_code == 422 and "jpg" in renamed.get_json()["error"]["message"]
    long = _upload(client, claim_id, pdf(), "a.pdf", description="说" * 34)
    assert long.status_code == 422 and "description" in long.get_json()["error"]["fields"]
    plain = _upload(client, claim_id, exe(), "x.pdf", json=False)  # without JavaScript: back to the page
    assert plain.status_code == 302
    assert "仅支持 jpg、png、pdf 文件" in client.text(f"/claims/{claim_id}")
    assert api.claim(T1, claim_id)["files"] == []


def test_proofs_are_viewable_inline_by_the_owner_only(web, api):
    client = web(T1)
    claim_id = _new_claim(client)
    file_id = _upload(client, claim_id, png(), "a.png").get_json()["id"]
    shown = client.get(f"/claims/{claim_id}/files/{file_id}")
    assert shown.status_code == 200 and shown.mimetype == "image/png" and shown.data == png()
    assert shown.headers["Content-Disposition"].startswith("inline")
    assert shown.headers["X-Content-Type-Options"] == "nosniff"  # the checked type, never sniffed
    csp = shown.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'self'" in csp and "script-src" not in csp
    assert web(T3).get(f"/claims/{claim_id}/files/{file_id}").status_code == 404


def test_delete_a_draft(web, api):
    client = web(T1)
    claim_id = _new_claim(client)
    response = client.post(f"/claims/{claim_id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("/me")
    assert api.as_(T1).get(f"/claims/{claim_id}").status_code == 404


def test_other_people_cannot_use_the_trainee_pages(web, api):
    claim = api.new_claim(T1)
    assert web(T3).get(f"/claims/{claim['id']}").status_code == 404
    assert web("unit_reviewer").get("/me").status_code == 403
    assert web("unit_reviewer").get(f"/claims/{claim['id']}").status_code == 403


def test_suggestion_uses_the_service_rules(web):
    client = web(T1)
    data = client.get("/claims/suggest?route=paper&journal=core&rank=2&count=2").get_json()
    assert data == {"route": "paper", "label": "发表论文著作", "remaining": 36.0, "suggested": 36.0}
    bad = client.get("/claims/suggest?route=research&level=city&rank=9").get_json()
    assert bad["suggested"] is None


def test_enrolment_reviewed_rejected_and_resubmitted(app, web, api, world):
    make_trainee(app)
    client = web(NEW_TRAINEE_ID)
    page = client.text("/enrollment")
    assert "单位名称" in page and "人员身份" in page and "现从事专业" in page
    form = {"unit_id": str(world.unit1), "identity_type": "国有企业", "political_status": "群众",
            "education": "大学本科", "title": "工程师", "title_date": "2020-07-01", "specialty": "公路工程"}
    incomplete = client.post("/enrollment", {**form, "specialty": ""})
    assert incomplete.status_code == 422 and 'id="specialty-error"' in incomplete.get_data(as_text=True)
    assert client.post("/enrollment", form).status_code == 302
    assert "等待单位审核" in client.text("/enrollment")
    task = next(t for t in api.as_("unit_reviewer").get("/tasks?process=enrollment").get_json()["items"])
    api.as_("unit_reviewer").post(f"/tasks/{task['id']}/complete", json={"decision": "reject",
                                                                         "comment": "单位名称选错"})
    page = client.text("/enrollment")
    assert "审核不通过，原因：单位名称选错" in page and 'name="specialty"' in page
    assert client.post("/enrollment", {**form, "unit_id": str(world.unit2)}).status_code == 302
    assert api.task_for("unit_reviewer_b", task["record"]["id"], "enrollment") is not None
