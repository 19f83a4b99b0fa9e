"""Classes (培训班信息) over the API: only from a filed pre-filing, the form's rules, HR's review,
opening, the trainees' search, a change request (seed 004 §六), the close at the resubmit
deadline (on a moved clock), who sees what, and races."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from app.clock import today
from app.services import consistency, timers
from tests.integration.test_provider_prefilings import _decide, _filing, _forwarded, _ok
from tests.support.races import run_together
from tests.support.world import T1

HIGHWAY = {"series": "工程系列", "specialty": "公路工程", "level": "工程师"}


def _filed(api) -> dict:
    filing = _forwarded(api)
    _ok(_decide(api, "hr_reviewer", filing["id"], "approve"))
    return filing


def class_body(filing: dict, **changes) -> dict:
    now = today()
    body = {"prefiling_id": filing["id"], "subject": "professional", "specialties": [HIGHWAY],
            "years": [now.year], "enrol_from": now.isoformat(), "enrol_until": (now + timedelta(days=5)).isoformat(),
            "resubmit_until": (now + timedelta(days=8)).isoformat(), "seat_limit": 0,
            "report_venue": "培训楼大厅", "class_venue": "培训楼301", "contact_name": "钱老师",
            "contact_phone": "0571-88001234、13900000002", "notes": "请携带身份证"}
    body.update(changes)
    return body


def make_class(api, filing: dict | None = None, **changes) -> dict:
    filing = filing or _filed(api)
    response = api.as_("provider_admin").post("/classes", json=class_body(filing, **changes))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def get_class(api, class_id: int, who: str = "provider_admin") -> dict:
    response = api.as_(who).get(f"/classes/{class_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def decide(api, who: str, class_id: int, decision: str, comment: str | None = None):
    extra = {"comment": comment} if comment else {}
    return api.decide(who, class_id, decision, record_type="provider_class", **extra)


def open_class(api, **changes) -> dict:
    """A class published, approved by the provincial HR department and opened."""
    cls = make_class(api, **changes)
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/submit"))
    _ok(decide(api, "hr_reviewer", cls["id"], "approve"))
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/open"))
    return get_class(api, cls["id"])


def _search(api, who: str = T1, **query) -> list[int]:
    response = api.as_(who).get("/classes", query_string={"open": "true", **query})
    assert response.status_code == 200, response.get_json()
    return [c["id"] for c in response.get_json()["items"]]


# -- publishing --------------------------------------------------------------------------------

def test_a_class_is_published_only_from_a_filed_filing_and_only_once(api):
    draft = _filing(api)
    response = api.as_("provider_admin").post("/classes", json=class_body(draft))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "not_filed"
    filing = _filed(api)
    cls = make_class(api, filing)
    assert (cls["status"], cls["status_label"], cls["name"]) == ("draft", "未提交", "测试培训班")
    assert cls["starts_on"] == filing["starts_on"] and cls["total_hours"] == 24.0
    assert cls["hr_department"]["name"] == "演示省人力资源和社会保障厅"
    again = api.as_("provider_admin").post("/classes", json=class_body(filing))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_published"


def test_only_the_filings_provider_publishes_its_class(api):
    filing = _filed(api)
    for who, status in (("provider_admin_b", 422), ("hr_reviewer", 403), (T1, 403)):
        response = api.as_(who).post("/classes", json=class_body(filing))
        assert response.status_code == status, (who, response.get_json())


@pytest.mark.parametrize(("changes", "field"), [
    ({"specialties": [{"series": "工程系列", "specialty": "林业专业", "level": "工程师"}]}, "specialties"),
    ({"specialties": []}, "specialties"),
    ({"years": [today().year - 10]}, "years"),
    ({"resubmit_until": today().isoformat(), "enrol_until": today().isoformat()}, "resubmit_until"),
    ({"enrol_until": (today() - timedelta(days=1)).isoformat()}, "enrol_until"),
    ({"resubmit_until": (today() + timedelta(days=60)).isoformat()}, "resubmit_until"),
    ({"has_package": True, "package": []}, "package"),
    ({"has_package": True, "package": [{"content": "全部课程", "hours": 30}]}, "package"),
    ({"report_venue": "地" * 101}, "report_venue"), ({"contact_phone": "1" * 51}, "contact_phone"),
    ({"notes": "注" * 51}, "notes"), ({"seat_limit": -1}, "seat_limit"), ({"subject": "sports"}, "subject"),
])
def test_a_wrong_class_is_refused_naming_the_field_and_nothing_is_kept(api, changes, field):
    filing = _filed(api)
    before = api.as_("provider_admin").get("/classes").get_json()["total"]
    response = api.as_("provider_admin").post("/classes", json=class_body(filing, **changes))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"], response.get_json()
    assert api.as_("provider_admin").get("/classes").get_json()["total"] == before


def test_submitted_approved_and_opened_trainees_find_it(api, world):
    cls = make_class(api, seat_limit=30, has_package=True,
                     package=[{"content": "公路工程新规范解读", "hours": 12}])
    assert cls["id"] not in _search(api, specialty="公路工程", level="工程师")
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/submit"))
    assert get_class(api, cls["id"])["status_label"] == "待人社部门审核"
    edit = api.as_("provider_admin").patch(f"/classes/{cls['id']}", json={"notes": "提交后修改"})
    assert edit.status_code == 409 and edit.get_json()["error"]["code"] == "not_editable"
    assert api.task_for("hr_reviewer_city", cls["id"], "provider_class") is None  # the other level's HR
    _ok(decide(api, "hr_reviewer", cls["id"], "approve"))
    assert (get_class(api, cls["id"])["status"], get_class(api, cls["id"])["status_label"]) == ("approved", "待开启")
    assert cls["id"] not in _search(api)  # approved, not yet opened
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/open"))
    opened = get_class(api, cls["id"])
    assert (opened["status"], opened["status_label"], opened["accepting"]) == ("open", "已开启", True)
    assert opened["seats_left"] == 30 and opened["package"] == [{"content": "公路工程新规范解读", "hours": 12.0}]
    assert cls["id"] in _search(api, specialty="公路工程", level="工程师")
    assert cls["id"] not in _search(api, specialty="公路工程", level="高级工程师")
    assert cls["id"] not in _search(api, specialty="林业专业")
    public = get_class(api, cls["id"], T1)  # a trainee reads what the class says, not its review log
    assert public["class_venue"] == "培训楼301" and "log" not in public and "hr_department" not in public
    again = api.as_("provider_admin").post(f"/classes/{cls['id']}/open")
    assert again.status_code == 409


def test_hr_sends_a_class_back_with_comments_and_it_comes_back(api):
    cls = make_class(api)
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/submit"))
    assert decide(api, "hr_reviewer", cls["id"], "rollback").status_code == 422  # comments required
    _ok(decide(api, "hr_reviewer", cls["id"], "rollback", "报到地点请写明楼层"))
    back = get_class(api, cls["id"])
    assert (back["status_label"], back["comment"]) == ("已退回", "报到地点请写明楼层")
    _ok(api.as_("provider_admin").patch(f"/classes/{cls['id']}", json={"report_venue": "培训楼一层大厅"}))
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/submit"))
    assert get_class(api, cls["id"])["status"] == "hr_review"


def test_moving_the_deadline_of_an_open_class_takes_a_change_request_hr_grants(api):
    cls = open_class(api)
    moved = (today() + timedelta(days=7)).isoformat()
    refused = api.as_("provider_admin").patch(f"/classes/{cls['id']}", json={"enrol_until": moved})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "not_editable"
    assert api.as_("provider_admin").post(f"/classes/{cls['id']}/change-request", json={}).status_code == 422
    reason = {"reason": "报名截止时间需延后两天"}
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/change-request", json=reason))
    asked = get_class(api, cls["id"])
    assert (asked["status"], asked["status_label"]) == ("change_requested", "申请变更待审核")
    assert cls["id"] not in _search(api)  # no new enrolments while HR decides
    assert any("报名截止时间需延后两天" in e["remark"] for e in asked["log"])
    _ok(decide(api, "hr_reviewer", cls["id"], "rollback"))
    _ok(api.as_("provider_admin").patch(f"/classes/{cls['id']}", json={"enrol_until": moved}))
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/submit"))
    _ok(decide(api, "hr_reviewer", cls["id"], "approve"))
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/open"))
    reopened = get_class(api, cls["id"])
    assert reopened["status"] == "open" and reopened["enrol_until"] == moved


def test_a_refused_change_request_leaves_the_class_open(api):
    cls = open_class(api)
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/change-request", json={"reason": "想改上课地点"}))
    assert decide(api, "hr_reviewer", cls["id"], "reject").status_code == 422  # a refusal says why
    _ok(decide(api, "hr_reviewer", cls["id"], "reject", "上课地点不变"))
    after = get_class(api, cls["id"])
    assert after["status"] == "open" and after["comment"] == "上课地点不变" and cls["id"] in _search(api)


def test_no_change_request_before_the_class_is_approved(api):
    cls = make_class(api)
    response = api.as_("provider_admin").post(f"/classes/{cls['id']}/change-request", json={"reason": "改期"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "not_open"


def test_at_the_resubmit_deadline_the_class_closes(api, app, clock):
    cls = open_class(api)
    deadline = datetime.fromisoformat(cls["resubmit_until"]).date()
    end_of_day = datetime.combine(deadline + timedelta(days=1), time(0)).replace(tzinfo=UTC) - timedelta(hours=8)
    clock.freeze(end_of_day - timedelta(minutes=1))
    api.forget_tokens()  # days later: sign in again
    with app.app_context():
        assert timers.run_due() == 0
    assert get_class(api, cls["id"])["status"] == "open"
    clock.freeze(end_of_day + timedelta(minutes=1))
    with app.app_context():
        assert timers.run_due() >= 1
    closed = get_class(api, cls["id"])
    assert (closed["status"], closed["status_label"]) == ("closed", "报名已结束") and closed["closed_at"]
    assert cls["id"] not in _search(api)
    asked = api.as_("provider_admin").post(f"/classes/{cls['id']}/change-request", json={"reason": "晚了"})
    assert asked.status_code == 409
    with app.app_context():
        assert consistency.check_all().ok


def test_the_enrolment_window_bounds_the_search(api, clock):
    cls = open_class(api, enrol_from=(today() + timedelta(days=2)).isoformat())
    assert cls["accepting"] is False and cls["id"] not in _search(api)
    clock.advance(timedelta(days=2))
    api.forget_tokens()  # days later: sign in again
    assert cls["id"] in _search(api)
    clock.advance(timedelta(days=4))
    api.forget_tokens()  # the window closed (enrol_until: 5 days after the first day)
    assert cls["id"] not in _search(api)


def test_who_sees_a_class(api):
    cls = make_class(api)
    for who in ("provider_admin_b", "hr_reviewer", "hr_reviewer_city", "supervisor_reviewer", T1):
        assert api.as_(who).get(f"/classes/{cls['id']}").status_code == 404, who  # a draft is the provider's
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/submit"))
    assert api.as_("hr_reviewer").get(f"/classes/{cls['id']}").status_code == 200
    assert api.as_("hr_reviewer_city").get(f"/classes/{cls['id']}").status_code == 404
    assert cls["id"] not in [c["id"] for c in api.as_("hr_reviewer_city").get("/classes").get_json()["items"]]
    assert cls["id"] in [c["id"] for c in api.as_("hr_reviewer").get("/classes").get_json()["items"]]


def test_two_publications_of_one_filing_at_once_publish_once(api, app):
    filing = _filed(api)
    a = api.as_("provider_admin")
    responses = run_together([lambda: a.post("/classes", json=class_body(filing)),
                              lambda: a.post("/classes", json=class_body(filing))])
    assert sorted(r.status_code for r in responses) == [201, 409], [r.get_json() for r in responses]
    with app.app_context():
        assert consistency.check_all().ok


def test_a_draft_is_deleted_and_its_filing_may_publish_again(api):
    filing = _filed(api)
    cls = make_class(api, filing)
    _ok(api.as_("provider_admin").delete(f"/classes/{cls['id']}"))
    assert api.as_("provider_admin").get(f"/classes/{cls['id']}").status_code == 404
    make_class(api, filing)


def test_an_approved_class_not_yet_opened_may_ask_for_a_change(api):
    cls = make_class(api)
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/submit"))
    _ok(decide(api, "hr_reviewer", cls["id"], "approve"))
    reason = {"reason": "开启前需调整报名时间"}
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/change-request", json=reason))
    assert get_class(api, cls["id"])["status"] == "change_requested"
    _ok(decide(api, "hr_reviewer", cls["id"], "reject", "报名时间不变"))
    back = get_class(api, cls["id"])
    assert back["status"] == "approved" and cls["id"] not in _search(api)  # still the provider's to open
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/open"))
    assert get_class(api, cls["id"])["status"] == "open"
