"""Pre-training filings (培训前备案) over the API: saving, the 15-day rule, attachments, every
review step with its rollback, both HR routes by the provider's level, and who sees what."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest

from app.clock import today
from app.extensions import db
from app.models import Organisation
from app.processes.provider_prefiling.demo import payload
from app.services import consistency
from tests.support.files import png
from tests.support.people import make_user
from tests.support.races import run_together

FILE_KINDS = ("plan", "notice", "invitation")


def _body(days_ahead: int = 30, **changes) -> dict:
    body = payload("测试培训班", today() + timedelta(days=days_ahead), 3)
    body["starts_on"], body["ends_on"] = body["starts_on"].isoformat(), body["ends_on"].isoformat()
    body.update(changes)
    return body


def _upload(api, who: str, filing_id: int, kind: str, data: bytes | None = None, name: str = "scan.png"):
    return api.as_(who).post(f"/filings/{filing_id}/files", content_type="multipart/form-data",
                             data={"file": (io.BytesIO(data or png()), name), "kind": kind})


def _filing(api, who: str = "provider_admin", *, files: bool = True, **changes) -> dict:
    response = api.as_(who).post("/filings", json=_body(**changes))
    assert response.status_code == 201, response.get_json()
    filing = response.get_json()
    for kind in FILE_KINDS if files else ():
        assert _upload(api, who, filing["id"], kind).status_code == 201
    return filing


def _get(api, who: str, filing_id: int) -> dict:
    response = api.as_(who).get(f"/filings/{filing_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _submitted(api, who: str = "provider_admin", **changes) -> dict:
    filing = _filing(api, who, **changes)
    response = api.as_(who).post(f"/filings/{filing['id']}/submit")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _decide(api, who: str, filing_id: int, decision: str, comment: str | None = None):
    extra = {"comment": comment} if comment else {}
    return api.decide(who, filing_id, decision, record_type="prefiling", **extra)


def _ok(response) -> None:
    assert response.status_code == 200, response.get_json()


def _stamped(api, filing_id: int, who: str = "provider_admin") -> None:
    assert _upload(api, who, filing_id, "stamped_form", name="盖章申报表.png").status_code == 201
    _ok(api.as_(who).post(f"/filings/{filing_id}/submit"))


def _forwarded(api, who: str = "provider_admin") -> dict:
    filing = _submitted(api, who)
    _ok(_decide(api, "supervisor_reviewer", filing["id"], "approve"))
    _stamped(api, filing["id"], who)
    _ok(_decide(api, "supervisor_reviewer", filing["id"], "forward"))
    return _get(api, who, filing["id"])


# -- saving ------------------------------------------------------------------------------------

def test_a_temporary_save_keeps_an_incomplete_draft(api, world):
    response = api.as_("provider_admin").post("/filings?temporary=true", json={"class_name": "只填了名称"})
    assert response.status_code == 201, response.get_json()
    filing = response.get_json()
    assert (filing["status"], filing["status_label"], filing["complete"]) == ("draft", "未提交", False)
    assert filing["provider"]["id"] == world.org["演示交通职业培训学院"]
    assert filing["supervisor"]["id"] == world.province and filing["year"] == today().year
    # a later full save checks everything and names each missing field
    response = api.as_("provider_admin").patch(f"/filings/{filing['id']}", json={"venue": "培训楼"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "incomplete" and {"courses", "teachers", "textbooks", "head_mobile"} <= set(error["fields"])
    assert "venue" not in error["fields"] and _get(api, "provider_admin", filing["id"])["venue"] == ""
    response = api.as_("provider_admin").patch(f"/filings/{filing['id']}", json=_body())
    assert response.status_code == 200 and response.get_json()["complete"] is True


def test_a_save_refuses_an_incomplete_filing_and_keeps_nothing(api):
    before = api.as_("provider_admin").get("/filings").get_json()["total"]
    response = api.as_("provider_admin").post("/filings", json={"class_name": "只填了名称"})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "incomplete"
    assert "必填" in str(response.get_json()["error"]["fields"]["venue"])
    assert api.as_("provider_admin").get("/filings").get_json()["total"] == before


@pytest.mark.parametrize(("field", "value"), [
    ("class_name", "班" * 51), ("venue", "地" * 101), ("fee", "费" * 301), ("head_mobile", "1380000000"),
    ("post_code", "31000"), ("email", "not-an-address"), ("form", "函授"), ("total_hours", 0),
    ("scope", [{"series": "工程系列", "specialty": "公路工程", "level": "工程师"}] * 2),
    ("courses", [{"content": "课", "hours": -1}]), ("teachers", [{"name": "缺字段"}]),
])
def test_each_field_is_checked_with_a_chinese_message(api, field, value):
    response = api.as_("provider_admin").post("/filings?temporary=true", json={field: value})
    assert response.status_code == 422, response.get_json()
    message = str(response.get_json()["error"]["fields"][field])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_the_courses_hours_must_add_up_to_the_total(api):
    response = api.as_("provider_admin").post("/filings", json=_body(total_hours=30))
    assert response.status_code == 422 and "courses" in response.get_json()["error"]["fields"]


# -- submitting -----------------------------------------------------------------------------------

def test_submit_needs_the_three_named_attachments(api):
    filing = _filing(api, files=False)
    response = api.as_("provider_admin").post(f"/filings/{filing['id']}/submit")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "files_required"
    assert "实施方案" in response.get_json()["error"]["message"]
    for kind in FILE_KINDS:
        assert _upload(api, "provider_admin", filing["id"], kind).status_code == 201
    _ok(api.as_("provider_admin").post(f"/filings/{filing['id']}/submit"))


def test_attachments_are_checked_by_content_and_size(api):
    filing = _filing(api, files=False)
    fake = _upload(api, "provider_admin", filing["id"], "plan", b"MZ\x90\x00 not an image", "plan.png")
    assert fake.status_code == 422
    big = _upload(api, "provider_admin", filing["id"], "plan", png() + b"\0" * (2 * 1024 * 1024), "big.png")
    assert big.status_code in (413, 422)
    assert _upload(api, "provider_admin", filing["id"], "photo").status_code == 422  # no such kind
    assert _get(api, "provider_admin", filing["id"])["files"] == []


@pytest.mark.usefixtures("clock")
def test_submit_is_refused_unless_the_class_starts_at_least_fifteen_days_later(api, clock):
    filing = _filing(api, days_ahead=14)
    response = api.as_("provider_admin").post(f"/filings/{filing['id']}/submit")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "too_late"
    assert "15" in response.get_json()["error"]["message"]
    assert _get(api, "provider_admin", filing["id"])["status"] == "draft"
    moved = (today() + timedelta(days=15)).isoformat()
    _ok(api.as_("provider_admin").patch(f"/filings/{filing['id']}", json={"starts_on": moved, "ends_on": moved}))
    _ok(api.as_("provider_admin").post(f"/filings/{filing['id']}/submit"))


@pytest.mark.usefixtures("clock")
def test_the_fifteen_days_count_from_the_day_of_submitting(api, clock):
    filing = _filing(api, days_ahead=16)
    clock.advance(timedelta(days=2))
    api.forget_tokens()
    response = api.as_("provider_admin").post(f"/filings/{filing['id']}/submit")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "too_late"


def test_the_minimum_is_configurable(api, app, monkeypatch):
    monkeypatch.setitem(app.config, "PROVIDER_FILINGS", {"PREFILING_MIN_DAYS": 40})
    filing = _filing(api, days_ahead=30)
    response = api.as_("provider_admin").post(f"/filings/{filing['id']}/submit")
    assert response.status_code == 409 and "40" in response.get_json()["error"]["message"]


def test_after_submitting_the_filing_is_read_only(api):
    filing = _submitted(api)
    assert (filing["status"], filing["status_label"]) == ("supervisor_review", "待主管单位审核")
    response = api.as_("provider_admin").patch(f"/filings/{filing['id']}", json={"venue": "改了"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "not_editable"
    assert _upload(api, "provider_admin", filing["id"], "other").status_code == 409
    assert api.as_("provider_admin").delete(f"/filings/{filing['id']}").status_code == 409
    assert _get(api, "provider_admin", filing["id"])["venue"] == _body()["venue"]


def test_a_draft_may_be_deleted(api):
    filing = _filing(api)
    _ok(api.as_("provider_admin").delete(f"/filings/{filing['id']}"))
    assert api.as_("provider_admin").get(f"/filings/{filing['id']}").status_code == 404


# -- the reviews ------------------------------------------------------------------------------------

def test_a_provincial_providers_filing_from_draft_to_filed(api, app, world):
    filing = _submitted(api)
    assert api.as_("supervisor_reviewer").get(f"/filings/{filing['id']}").status_code == 200
    task = api.task_for("supervisor_reviewer", filing["id"], "prefiling")
    assert task["process"] == "provider_prefiling" and task["subject"] == "演示交通职业培训学院"
    assert task["title"] == "测试培训班"
    _ok(_decide(api, "supervisor_reviewer", filing["id"], "approve"))
    after = _get(api, "provider_admin", filing["id"])
    assert after["status_label"] == "待上传盖章申报表"
    # the stamp step is done only with the stamped form of this round
    response = api.as_("provider_admin").post(f"/filings/{filing['id']}/submit")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "files_required"
    _stamped(api, filing["id"])
    assert _get(api, "provider_admin", filing["id"])["status_label"] == "待主管单位报送"
    _ok(_decide(api, "supervisor_reviewer", filing["id"], "forward"))
    after = _get(api, "provider_admin", filing["id"])
    assert after["status_label"] == "待人社部门审核" and after["hr_department"]["name"] == "演示省人力资源和社会保障厅"
    assert api.task_for("hr_reviewer_city", filing["id"], "prefiling") is None
    assert api.as_("hr_reviewer_city").get(f"/filings/{filing['id']}").status_code == 404
    _ok(_decide(api, "hr_reviewer", filing["id"], "approve", "同意备案"))
    after = _get(api, "provider_admin", filing["id"])
    assert (after["status"], after["status_label"]) == ("filed", "备案通过") and after["filed_at"]
    steps = [e["action"] for e in reversed(after["log"]) if not e["action"].startswith("file_")]  # oldest first
    assert steps == ["create", "submit", "supervisor_review", "upload_stamped", "forward", "hr_review"]
    with app.app_context():
        assert consistency.check_all().ok


def test_a_prefecture_providers_filing_goes_to_its_prefectures_hr(api):
    filing = _forwarded(api, "provider_admin_b")
    assert filing["hr_department"]["name"] == "演示市人力资源和社会保障局"
    assert api.task_for("hr_reviewer", filing["id"], "prefiling") is None
    assert api.as_("hr_reviewer").get(f"/filings/{filing['id']}").status_code == 404
    _ok(_decide(api, "hr_reviewer_city", filing["id"], "approve"))
    assert _get(api, "provider_admin_b", filing["id"])["status"] == "filed"


def test_a_prefecture_provider_without_an_hr_department_cannot_be_forwarded(api, app, world):
    with app.app_context():
        db.session.get(Organisation, world.org["演示市公路培训中心"]).hr_id = None
        db.session.commit()
    filing = _submitted(api, "provider_admin_b")
    _ok(_decide(api, "supervisor_reviewer", filing["id"], "approve"))
    _stamped(api, filing["id"], "provider_admin_b")
    response = _decide(api, "supervisor_reviewer", filing["id"], "forward")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "no_hr_department"
    assert _get(api, "provider_admin_b", filing["id"])["status"] == "awaiting_forward"
    assert api.task_for("supervisor_reviewer", filing["id"], "prefiling") is not None


@pytest.mark.parametrize("at", ["supervisor_review", "forward", "hr_review"])
def test_a_rollback_returns_it_to_the_provider_who_edits_and_resubmits(api, at):
    filing = _submitted(api)
    if at != "supervisor_review":
        _ok(_decide(api, "supervisor_reviewer", filing["id"], "approve"))
        _stamped(api, filing["id"])
    if at == "hr_review":
        _ok(_decide(api, "supervisor_reviewer", filing["id"], "forward"))
    reviewer = "hr_reviewer" if at == "hr_review" else "supervisor_reviewer"
    assert _decide(api, reviewer, filing["id"], "rollback").status_code == 422  # a rollback needs comments
    _ok(_decide(api, reviewer, filing["id"], "rollback", "请补充师资情况"))
    after = _get(api, "provider_admin", filing["id"])
    assert (after["status"], after["status_label"]) == ("rolled_back", "已回退")
    assert after["rollback_comment"] == "请补充师资情况"
    assert any("请补充师资情况" in e["remark"] for e in after["log"])
    _ok(api.as_("provider_admin").patch(f"/filings/{filing['id']}", json={"venue": "新的开班地点"}))
    _ok(api.as_("provider_admin").post(f"/filings/{filing['id']}/submit"))
    again = _get(api, "provider_admin", filing["id"])
    assert again["status"] == "supervisor_review" and again["venue"] == "新的开班地点"
    _ok(_decide(api, "supervisor_reviewer", filing["id"], "approve"))
    # the new round needs its own stamped form
    response = api.as_("provider_admin").post(f"/filings/{filing['id']}/submit")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "files_required"


def test_the_stamped_form_is_uploaded_only_while_its_step_waits(api):
    filing = _submitted(api)
    assert _upload(api, "provider_admin", filing["id"], "stamped_form").status_code == 409
    _ok(_decide(api, "supervisor_reviewer", filing["id"], "approve"))
    assert _upload(api, "provider_admin", filing["id"], "stamped_form").status_code == 201
    assert _upload(api, "provider_admin", filing["id"], "plan").status_code == 409  # the content is frozen


# -- who sees what ------------------------------------------------------------------------------

def test_a_provider_sees_only_its_own_filings(api):
    mine = _filing(api)
    assert api.as_("provider_admin_b").get(f"/filings/{mine['id']}").status_code == 404
    assert api.as_("provider_admin_b").patch(f"/filings/{mine['id']}", json={"venue": "x"}).status_code == 404
    assert api.as_("provider_admin_b").post(f"/filings/{mine['id']}/submit").status_code == 404
    assert mine["id"] not in [f["id"] for f in api.as_("provider_admin_b").get("/filings").get_json()["items"]]
    assert mine["id"] in [f["id"] for f in api.as_("provider_admin").get("/filings").get_json()["items"]]


def test_the_supervisor_sees_a_filing_once_submitted(api):
    filing = _filing(api)
    assert api.as_("supervisor_reviewer").get(f"/filings/{filing['id']}").status_code == 404
    api.as_("provider_admin").post(f"/filings/{filing['id']}/submit")
    assert api.as_("supervisor_reviewer").get(f"/filings/{filing['id']}").status_code == 200
    listed = api.as_("supervisor_reviewer").get("/filings?status=supervisor_review").get_json()["items"]
    assert filing["id"] in [f["id"] for f in listed]


@pytest.mark.parametrize("who", ["330106199003070014", "unit_reviewer", "authority_reviewer", "hr_reviewer"])
def test_only_a_providers_staff_file(api, who):
    response = api.as_(who).post("/filings?temporary=true", json={"class_name": "冒名备案"})
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["330106199003070014", "unit_reviewer", "provider_admin_b", "hr_reviewer"])
def test_others_cannot_decide_the_supervisors_step(api, who):
    filing = _submitted(api)
    assert api.task_for(who, filing["id"], "prefiling") is None
    task = api.task_for("supervisor_reviewer", filing["id"], "prefiling")
    response = api.as_(who).post(f"/tasks/{task['id']}/complete", json={"decision": "approve"})
    assert response.status_code in (403, 404)
    assert _get(api, "provider_admin", filing["id"])["status"] == "supervisor_review"


# -- races --------------------------------------------------------------------------------------------

@pytest.fixture
def colleague(app, world) -> str:
    """A second administrator of 演示交通职业培训学院."""
    make_user(app, "provider_admin_2", "培训学院第二管理员", roles=[("admin", world.org["演示交通职业培训学院"])])
    return "provider_admin_2"


def test_two_colleagues_submitting_at_once_submit_once(api, app, colleague, slow_lock):
    filing = _filing(api)
    a, b = api.as_("provider_admin"), api.as_(colleague)
    responses = run_together([lambda: a.post(f"/filings/{filing['id']}/submit"),
                              lambda: b.post(f"/filings/{filing['id']}/submit")])
    assert sorted(r.status_code for r in responses) == [200, 409], [r.get_json() for r in responses]
    after = _get(api, "provider_admin", filing["id"])
    assert after["status"] == "supervisor_review" and [e["action"] for e in after["log"]].count("submit") == 1
    with app.app_context():
        assert consistency.check_all().ok


def test_an_edit_racing_the_submission_never_lands_after_it(api, app, colleague, slow_lock):
    filing = _filing(api)
    a, b = api.as_("provider_admin"), api.as_(colleague)
    responses = run_together([lambda: a.post(f"/filings/{filing['id']}/submit"),
                              lambda: b.patch(f"/filings/{filing['id']}", json={"venue": "抢在提交时修改"})])
    submitted, edited = responses
    assert submitted.status_code == 200, submitted.get_json()
    after = _get(api, "provider_admin", filing["id"])
    if edited.status_code == 200:  # the edit went first: the submission carries it
        assert after["venue"] == "抢在提交时修改"
        actions = [e["action"] for e in reversed(after["log"])]  # oldest first
        assert actions.index("edit") < actions.index("submit")
    else:
        assert edited.status_code == 409 and edited.get_json()["error"]["code"] == "not_editable"
        assert after["venue"] != "抢在提交时修改"


def test_two_supervisors_deciding_at_once_decide_once(api, app, world, slow_lock):
    make_user(app, "supervisor_reviewer_2", "第二主管审核员", roles=[("reviewer", world.province)])
    filing = _submitted(api)
    task = api.task_for("supervisor_reviewer", filing["id"], "prefiling")
    a, b = api.as_("supervisor_reviewer"), api.as_("supervisor_reviewer_2")
    responses = run_together([
        lambda: a.post(f"/tasks/{task['id']}/complete", json={"decision": "approve"}),
        lambda: b.post(f"/tasks/{task['id']}/complete", json={"decision": "rollback", "comment": "回退"})])
    assert sorted(r.status_code for r in responses) == [200, 409], [r.get_json() for r in responses]
    won = next(r for r in responses if r.status_code == 200).get_json()["decision"]
    assert _get(api, "provider_admin", filing["id"])["status"] == {"approve": "awaiting_stamp",
                                                                   "rollback": "rolled_back"}[won]
    with app.app_context():
        assert consistency.check_all().ok


# -- the filing form (申报表) ------------------------------------------------------------------------

def test_the_filing_form_is_a_pdf_with_its_chinese_text_embedded(api):
    from pypdf import PdfReader

    filing = _submitted(api)
    response = api.as_("supervisor_reviewer").get(f"/filings/{filing['id']}/form.pdf")
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "专业技术人员继续教育培训开班申报表" in text and "测试培训班" in text and "公路工程新规范解读" in text
    fonts = [f for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    descriptors = [f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"] for f in fonts
                   if "/DescendantFonts" in f.get_object()]
    assert descriptors and all(any(k in d for k in ("/FontFile2", "/FontFile3")) for d in descriptors)  # embedded


def test_no_form_before_submitting_and_none_without_a_chinese_font(api, monkeypatch):
    from app.services import pdf

    draft = _filing(api)
    response = api.as_("provider_admin").get(f"/filings/{draft['id']}/form.pdf")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "not_submitted"
    filing = _submitted(api)
    monkeypatch.setattr(pdf, "cjk_family", lambda: None)
    response = api.as_("provider_admin").get(f"/filings/{filing['id']}/form.pdf")
    assert response.status_code == 503 and "字体" in response.get_json()["error"]["message"]


def test_printing_a_form_does_not_weaken_the_upload_checks(api):
    """WeasyPrint turns on Pillow's process-wide LOAD_TRUNCATED_IMAGES when imported."""
    filing = _submitted(api)
    assert api.as_("provider_admin").get(f"/filings/{filing['id']}/form.pdf").status_code == 200
    draft = _filing(api, files=False)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    truncated = png((64, 64))[:70]
    response = _upload(api, "provider_admin", draft["id"], "plan", truncated, "truncated.png")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "bad_file"
