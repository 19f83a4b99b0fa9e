"""Class enrolments (学员报名) over the API: the search, the form's rules, the provider's review
with send-back, the enrolment window, the resubmit deadline's timer (on a moved clock), the
seat limit under a race, and who sees what."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from app.clock import today
from app.processes.class_enrollment.service import NONE_OPEN
from app.services import consistency, timers
from tests.integration.test_provider_classes import HIGHWAY, get_class, open_class
from tests.support.races import run_together
from tests.support.world import T1, T2, T3

DEMO_OPEN = "公路工程师知识更新培训班"


def _ok(response) -> dict:
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def demo_class(api) -> dict:
    found = api.as_(T1).get("/classes", query_string={"open": "true", "specialty": "公路工程", "level": "工程师"})
    return next(c for c in _ok(found)["items"] if c["name"] == DEMO_OPEN)


def enrol(api, who: str, class_id: int, **changes) -> dict:
    return _ok(api.as_(who).post("/class-enrollments", json={"class_id": class_id, **HIGHWAY, **changes}))


def submitted(api, who: str, class_id: int, **changes) -> dict:
    enrollment = enrol(api, who, class_id, **changes)
    return _ok(api.as_(who).post(f"/class-enrollments/{enrollment['id']}/submit"))


def get(api, who: str, enrollment_id: int) -> dict:
    return _ok(api.as_(who).get(f"/class-enrollments/{enrollment_id}"))


def decide(api, enrollment_id: int, decision: str, comment: str | None = None, who: str = "provider_admin"):
    extra = {"comment": comment} if comment else {}
    return api.decide(who, enrollment_id, decision, record_type="class_enrollment", **extra)


def test_the_search_lists_the_open_class_or_says_none_is_open(api, web):
    assert demo_class(api)["provider"]["name"] == "演示交通职业培训学院"
    none = api.as_(T1).get("/classes", query_string={"open": "true", "specialty": "林业专业", "level": "工程师"})
    assert _ok(none)["items"] == []
    page = web(T1).get("/class-enrollments", query_string={"specialty": "林业专业", "level": "工程师"})
    assert page.status_code == 200 and NONE_OPEN in page.get_data(as_text=True)
    page = web(T1).get("/class-enrollments", query_string={"specialty": "公路工程", "level": "工程师"})
    assert DEMO_OPEN in page.get_data(as_text=True)


def test_a_trainee_enrols_and_the_provider_approves(api, world):
    cls = demo_class(api)
    enrollment = enrol(api, T1, cls["id"])
    assert (enrollment["status"], enrollment["status_label"]) == ("draft", "未提交")
    assert enrollment["phone"] == "13800000014" and enrollment["unit_name"]  # from the profile and registration
    assert enrollment["trainee"]["id_number"].count("*") >= 4  # masked
    assert api.as_("provider_admin").get(f"/class-enrollments/{enrollment['id']}").status_code == 404  # a draft
    after = _ok(api.as_(T1).post(f"/class-enrollments/{enrollment['id']}/submit"))
    assert (after["status"], after["status_label"], after["holds_seat"]) == ("provider_review", "待基地审核", True)
    listed = _ok(api.as_("provider_admin").get("/class-enrollments", query_string={"reviewing": "true"}))
    assert enrollment["id"] in [e["id"] for e in listed["items"]]
    in_class = _ok(api.as_("provider_admin").get("/class-enrollments", query_string={
        "reviewing": "true", "class_id": cls["id"], "status": "provider_review"}))
    assert [e["id"] for e in in_class["items"]] == [enrollment["id"]]
    _ok(decide(api, enrollment["id"], "approve"))
    approved = get(api, T1, enrollment["id"])
    assert (approved["status"], approved["status_label"]) == ("approved", "审核通过") and approved["approved_at"]
    assert get_class(api, cls["id"])["seats_taken"] == 1


def test_sent_back_with_comments_the_trainee_edits_and_resubmits(api):
    enrollment = submitted(api, T1, demo_class(api)["id"])
    assert decide(api, enrollment["id"], "return").status_code == 422  # comments required
    _ok(decide(api, enrollment["id"], "return", "请填写手机号"))
    back = get(api, T1, enrollment["id"])
    assert (back["status_label"], back["return_comment"], back["holds_seat"]) == ("已退回", "请填写手机号", True)
    _ok(api.as_(T1).patch(f"/class-enrollments/{enrollment['id']}", json={"phone": "13900000099"}))
    again = _ok(api.as_(T1).post(f"/class-enrollments/{enrollment['id']}/submit"))
    assert again["status"] == "provider_review" and again["phone"] == "13900000099"


@pytest.mark.parametrize(("changes", "field"), [
    ({"specialty": "林业专业"}, "specialty"), ({"level": "高级工程师"}, "specialty"),
    ({"year": today().year - 1}, "year"), ({"phone": "1380000"}, "phone"), ({"unit_name": "单" * 101}, "unit_name"),
    ({"courses": ["不在课程包里"]}, "courses"), ({"remark": "备" * 201}, "remark"),
])
def test_a_wrong_enrolment_is_refused_naming_the_field(api, changes, field):
    before = _ok(api.as_(T1).get("/class-enrollments"))["total"]  # the demo's, in the class that ended
    response = api.as_(T1).post("/class-enrollments", json={"class_id": demo_class(api)["id"], **HIGHWAY, **changes})
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"], response.get_json()
    assert _ok(api.as_(T1).get("/class-enrollments"))["total"] == before


def test_one_enrolment_per_trainee_and_class(api):
    cls = demo_class(api)
    enrol(api, T1, cls["id"])
    again = api.as_(T1).post("/class-enrollments", json={"class_id": cls["id"], **HIGHWAY})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_enrolled"


def test_only_trainees_enrol(api):
    for who in ("provider_admin", "hr_reviewer", "unit_reviewer"):
        response = api.as_(who).post("/class-enrollments", json={"class_id": demo_class(api)["id"], **HIGHWAY})
        assert response.status_code == 403, who


def test_the_window_bounds_the_first_submission_and_the_deadline_the_resubmission(api, clock):
    cls = open_class(api)  # enrolment today .. today+5, resubmit until today+8
    draft = enrol(api, T1, cls["id"])
    sent = submitted(api, T2, cls["id"])
    _ok(decide(api, sent["id"], "return", "补充工作单位全称"))
    clock.advance(timedelta(days=6))  # the window has closed
    api.forget_tokens()
    late = api.as_(T1).post(f"/class-enrollments/{draft['id']}/submit")
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "enrolment_closed"
    new = api.as_(T3).post("/class-enrollments", json={"class_id": cls["id"], **HIGHWAY})
    assert new.status_code == 409 and new.get_json()["error"]["code"] == "enrolment_closed"
    _ok(api.as_(T2).post(f"/class-enrollments/{sent['id']}/submit"))  # a sent-back one until the deadline


def test_the_resubmit_deadline_closes_a_sent_back_enrolment_and_gives_its_seat_back(api, app, clock):
    cls = open_class(api, seat_limit=2)
    sent = submitted(api, T1, cls["id"])
    draft = enrol(api, T2, cls["id"])
    _ok(decide(api, sent["id"], "return", "请补充材料"))
    assert get_class(api, cls["id"])["seats_taken"] == 1
    deadline = datetime.fromisoformat(cls["resubmit_until"]).date()
    clock.freeze(datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=UTC) - timedelta(hours=8, minutes=-1))
    api.forget_tokens()
    with app.app_context():
        assert timers.run_due() >= 3  # the sent-back enrolment, the draft and the class itself
    closed = get(api, T1, sent["id"])
    assert (closed["status"], closed["status_label"], closed["holds_seat"]) == ("closed", "报名已关闭", False)
    assert get(api, T2, draft["id"])["status"] == "closed"
    assert get_class(api, cls["id"])["seats_taken"] == 0
    late = api.as_(T1).post(f"/class-enrollments/{sent['id']}/submit")
    assert late.status_code == 409
    with app.app_context():
        assert consistency.check_all().ok


def test_a_review_waiting_at_the_deadline_is_not_cut_off(api, app, clock):
    cls = open_class(api)
    sent = submitted(api, T1, cls["id"])
    deadline = datetime.fromisoformat(cls["resubmit_until"]).date()
    clock.freeze(datetime.combine(deadline + timedelta(days=2), time(2), tzinfo=UTC))
    api.forget_tokens()
    with app.app_context():
        timers.run_due()
    assert get(api, T1, sent["id"])["status"] == "provider_review"
    _ok(decide(api, sent["id"], "approve"))


def test_two_trainees_racing_for_the_last_seat_one_gets_it(api, app, slow_lock):
    cls = open_class(api, seat_limit=1)
    a, b = enrol(api, T1, cls["id"]), enrol(api, T2, cls["id"])
    responses = run_together([lambda: api.as_(T1).post(f"/class-enrollments/{a['id']}/submit"),
                              lambda: api.as_(T2).post(f"/class-enrollments/{b['id']}/submit")])
    assert sorted(r.status_code for r in responses) == [200, 409], [r.get_json() for r in responses]
    lost = next(r for r in responses if r.status_code == 409).get_json()["error"]
    assert lost["code"] == "class_full"
    assert get_class(api, cls["id"])["seats_taken"] == 1 and get_class(api, cls["id"])["seats_left"] == 0
    statuses = sorted(get(api, who, e["id"])["status"] for who, e in ((T1, a), (T2, b)))
    assert statuses == ["draft", "provider_review"]
    with app.app_context():
        assert consistency.check_all().ok


def test_who_sees_an_enrolment(api):
    enrollment = submitted(api, T1, demo_class(api)["id"])
    assert api.as_(T1).get(f"/class-enrollments/{enrollment['id']}").status_code == 200
    assert api.as_("provider_admin").get(f"/class-enrollments/{enrollment['id']}").status_code == 200
    for who in (T2, "provider_admin_b", "hr_reviewer", "unit_reviewer", "supervisor_reviewer"):
        assert api.as_(who).get(f"/class-enrollments/{enrollment['id']}").status_code == 404, who
        assert api.task_for(who, enrollment["id"], "class_enrollment") is None, who
    assert enrollment["id"] not in [e["id"] for e in _ok(api.as_(T2).get("/class-enrollments"))["items"]]
    assert _ok(api.as_("provider_admin_b").get("/class-enrollments",
                                               query_string={"reviewing": "true"}))["items"] == []


def test_a_deadline_the_class_moved_later_is_the_one_that_closes_a_sent_back_enrolment(api, app, clock):
    from tests.integration.test_provider_classes import decide as decide_class

    cls = open_class(api)
    sent = submitted(api, T1, cls["id"])
    _ok(decide(api, sent["id"], "return", "请补充材料"))
    old = datetime.fromisoformat(cls["resubmit_until"]).date()
    new = old + timedelta(days=2)  # still before the class ends
    reason = {"reason": "退回再次提交截止时间延后"}
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/change-request", json=reason))
    _ok(decide_class(api, "hr_reviewer", cls["id"], "rollback"))
    _ok(api.as_("provider_admin").patch(f"/classes/{cls['id']}", json={"resubmit_until": new.isoformat()}))
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/submit"))
    _ok(decide_class(api, "hr_reviewer", cls["id"], "approve"))
    _ok(api.as_("provider_admin").post(f"/classes/{cls['id']}/open"))
    clock.freeze(datetime.combine(old + timedelta(days=1), time(1), tzinfo=UTC))  # past the old deadline
    api.forget_tokens()
    with app.app_context():
        timers.run_due()
    assert get(api, T1, sent["id"])["status"] == "returned"
    clock.freeze(datetime.combine(new + timedelta(days=1), time(1), tzinfo=UTC))  # past the new one
    api.forget_tokens()
    with app.app_context():
        timers.run_due()
    assert get(api, T1, sent["id"])["status"] == "closed"
    with app.app_context():
        assert consistency.check_all().ok
