"""Person info changes (人员信息修改) over the API: asking, checks, one waiting at a time, approving
(written where each detail lives), rejecting, withdrawing, batch review, locked details, who sees what."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.clock import today
from app.extensions import db
from app.models import User
from app.processes.enrollment.models import Enrollment
from app.processes.person_info_change.models import PersonTitleSeries
from app.services import consistency
from tests.support.person_info import CHANGE, ask, asked, mine, printed, task_of
from tests.support.world import T1, T2, T3

YEAR = date.today().year


def _enrolment(app, world, who=T1, year=YEAR) -> Enrollment:
    with app.app_context():
        row = db.session.scalar(select(Enrollment).where(Enrollment.trainee_id == world.user[who],
                                                         Enrollment.year == year))
        db.session.expunge(row)
        return row


def _user(app, world, who=T1) -> User:
    with app.app_context():
        user = db.session.get(User, world.user[who])
        db.session.expunge(user)
        return user


def test_the_current_details_and_nothing_waiting(api):
    state = mine(api, T1)
    assert state["values"] == {"name": "张伟", "phone": "13800000014", "identity_type": "国有企业",
                               "political_status": "群众", "education": "大学本科", "title": "工程师",
                               "title_date": "2018-06-30", "title_series": None, "specialty": "公路工程"}
    assert state["year"] == YEAR and state["pending"] is None and state["locked"] is False


def test_asked_only_the_changed_fields_wait_for_the_unit(api, world):
    change = asked(api, T1, **CHANGE, specialty="公路工程", phone="13800000014")  # two unchanged
    assert (change["status"], change["status_label"]) == ("pending", "待审核")
    assert change["changes"] == {"name": {"old": "张伟", "new": "张伟明"},
                                 "title": {"old": "工程师", "new": "高级工程师"},
                                 "title_date": {"old": "2018-06-30", "new": "2023-12-01"},
                                 "title_series": {"old": None, "new": "工程技术"}}
    rows = {r["field"]: r for r in change["rows"]}
    assert rows["title"]["changed"]
    assert (rows["title"]["old_text"], rows["title"]["new_text"]) == ("工程师", "高级工程师")
    assert not rows["specialty"]["changed"] and rows["specialty"]["old_text"] == rows["specialty"]["new_text"]
    assert change["unit"]["id"] == world.unit1 and [e["action"] for e in change["log"]] == ["request"]
    task = task_of(api, "unit_reviewer", change["id"])
    assert task is not None and task["process"] == "person_info_change" and task["subject"] == "张伟"
    assert mine(api, T1)["pending"]["id"] == change["id"]


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "张"}, "name"), ({"name": "张" * 31}, "name"), ({"phone": "1380000001"}, "phone"),
    ({"phone": "138000000145"}, "phone"), ({"phone": "2380000001a"}, "phone"),
    ({"identity_type": "外星人"}, "identity_type"), ({"political_status": "党员"}, "political_status"),
    ({"education": "小学"}, "education"), ({"title": "院士"}, "title"), ({"title_series": "魔法"}, "title_series"),
    ({"title_date": "2999-01-01"}, "title_date"), ({"specialty": "  "}, "specialty"),
])
def test_bad_values_are_refused_with_the_field(api, body, field):
    response = ask(api, T1, **body)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] in ("invalid", "validation") and field in error["fields"], error
    assert mine(api, T1)["pending"] is None


def test_the_date_obtained_may_be_today_but_not_tomorrow(api, clock):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    assert ask(api, T1, title_date=tomorrow).status_code == 422
    clock.advance(timedelta(days=1))
    api.forget_tokens()  # a day idle: log in again
    assert ask(api, T1, title_date=tomorrow).status_code == 201


def test_one_change_waits_at_a_time_and_nothing_changed_is_refused(api):
    assert ask(api, T1, name="张伟", phone="13800000014").get_json()["error"]["code"] == "no_change"
    asked(api, T1)
    response = ask(api, T1, specialty="桥梁工程")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "change_pending"
    assert ask(api, T2, specialty="桥梁工程").status_code == 201  # another person's own


def test_only_trainees_ask(api):
    response = api.as_("unit_reviewer").post("/me/profile-change", json={"specialty": "桥梁工程"})
    assert response.status_code == 403


def test_approved_the_new_values_are_written_and_the_confirmation_lapses(api, app, world):
    assert api.as_(T1).post("/me/profile/confirm", json={}).get_json()["confirmed"] is True
    change = asked(api, T1, **CHANGE, phone="13900000000", education="硕士研究生")
    response = api.decide("unit_reviewer", change["id"], "approve", record_type="person_info_change")
    assert response.status_code == 200, response.get_json()
    after = api.as_(T1).get(f"/profile-changes/{change['id']}").get_json()
    assert (after["status"], after["status_label"]) == ("approved", "审核通过") and after["applied_at"]
    user, enrolment = _user(app, world), _enrolment(app, world)
    assert (user.name, user.phone) == ("张伟明", "13900000000")
    assert (enrolment.title, enrolment.title_date) == ("高级工程师", date(2023, 12, 1))
    assert enrolment.education == "硕士研究生"
    assert enrolment.specialty == "公路工程"
    with app.app_context():
        assert db.session.get(PersonTitleSeries, world.user[T1]).title_series == "工程技术"
    profile = api.as_(T1).get("/me/profile").get_json()  # what the printed hour record shows
    facts = {f["label"]: f["value"] for f in profile["facts"]}
    assert (facts["姓名"], facts["专业技术职务任职资格"], facts["取得时间"]) == ("张伟明", "高级工程师", "2023-12-01")
    assert profile["confirmed"] is False  # confirmed before the change: to be confirmed again
    assert mine(api, T1)["pending"] is None and asked(api, T1, specialty="桥梁工程")["status"] == "pending"
    with app.app_context():
        assert consistency.check_all().ok


def test_rejected_needs_a_reason_and_keeps_the_details(api, app, world):
    change = asked(api, T1)
    response = api.decide("unit_reviewer", change["id"], "reject", record_type="person_info_change")
    assert response.status_code == 422
    response = api.decide("unit_reviewer", change["id"], "reject", record_type="person_info_change",
                          comment="职称证书不符")
    assert response.status_code == 200, response.get_json()
    after = api.as_(T1).get(f"/profile-changes/{change['id']}").get_json()
    assert (after["status"], after["status_label"], after["reject_reason"]) == ("rejected", "已驳回", "职称证书不符")
    assert after["applied_at"] is None
    assert _user(app, world).name == "张伟" and _enrolment(app, world).title == "工程师"
    assert mine(api, T1)["history"][0]["reject_reason"] == "职称证书不符"
    with app.app_context():
        assert consistency.check_all().ok


def test_withdrawn_while_it_waits_and_not_after(api, app, world):
    change = asked(api, T1)
    response = api.as_(T1).post("/me/profile-change/withdraw")
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    assert task_of(api, "unit_reviewer", change["id"]) is None
    assert api.as_(T1).post("/me/profile-change/withdraw").status_code == 409
    assert _user(app, world).name == "张伟"
    second = asked(api, T1)
    api.decide("unit_reviewer", second["id"], "approve", record_type="person_info_change")
    assert api.as_(T1).post("/me/profile-change/withdraw").get_json()["error"]["code"] == "not_waiting"


def test_batch_approve_and_batch_reject_in_the_inbox(api, app, world):
    one, two = asked(api, T1), asked(api, T2, specialty="桥梁工程")
    tasks = [task_of(api, "unit_reviewer", c["id"])["id"] for c in (one, two)]
    reviewer = api.as_("unit_reviewer")
    response = reviewer.post("/tasks/batch", json={"task_ids": tasks, "decision": "approve"})
    assert response.get_json()["succeeded"] == 2, response.get_json()
    assert _user(app, world).name == "张伟明" and _enrolment(app, world, T2).specialty == "桥梁工程"
    three, four = asked(api, T1, specialty="隧道工程"), asked(api, T2, education="中专")
    tasks = [task_of(api, "unit_reviewer", c["id"])["id"] for c in (three, four)]
    response = reviewer.post("/tasks/batch", json={"task_ids": tasks, "decision": "reject", "comment": "材料不全"})
    assert response.get_json()["succeeded"] == 2, response.get_json()
    assert _enrolment(app, world).specialty == "公路工程" and _enrolment(app, world, T2).education == "大学本科"
    assert [c["status"] for c in api.as_("unit_reviewer").get("/profile-changes?status=rejected")
            .get_json()["items"]] == ["rejected", "rejected"]


def test_another_units_staff_neither_see_nor_act(api, world):
    change = asked(api, T1)
    task = task_of(api, "unit_reviewer", change["id"])
    for who in ("unit_reviewer_b", "unit_admin_b", T3, T2):
        assert api.as_(who).get(f"/profile-changes/{change['id']}").status_code == 404, who
        assert task_of(api, who, change["id"]) is None, who
    assert api.as_("unit_reviewer_b").get("/profile-changes").get_json()["items"] == []
    response = api.as_("unit_reviewer_b").post(f"/tasks/{task['id']}/complete", json={"decision": "approve"})
    assert response.status_code in (403, 404)
    assert api.as_(T1).get(f"/profile-changes/{change['id']}").get_json()["status"] == "pending"
    listed = api.as_("unit_admin").get("/profile-changes", query_string={"name": "张"}).get_json()["items"]
    assert [c["id"] for c in listed] == [change["id"]]


def test_locked_details_are_refused_on_the_enrolment_and_change_only_here(api, app, world):
    printed(api, app, T1)
    assert mine(api, T1)["locked"] is True
    # next year's enrolment with another unit, rejected: the enrolment page would edit it directly
    created = api.as_(T1).post("/enrollments", json={"year": YEAR + 1, "unit_id": world.unit2, **{
        k: v for k, v in mine(api, T1)["values"].items() if k not in ("name", "phone", "title_series")}})
    assert created.status_code == 201, created.get_json()
    enrolment = created.get_json()
    api.decide("unit_reviewer_b", enrolment["id"], "reject", record_type="enrollment", comment="单位不符")
    refused = api.as_(T1).patch(f"/enrollments/{enrolment['id']}", json={"title": "高级工程师", "unit_id": world.unit1})
    assert refused.status_code == 409, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "profile_locked" and "人员信息修改" in error["message"]
    assert list(error["fields"]) == ["title"]
    assert _enrolment(app, world, year=YEAR + 1).title == "工程师"
    same = api.as_(T1).patch(f"/enrollments/{enrolment['id']}", json={"title": "工程师", "unit_id": world.unit1})
    assert same.status_code == 200, same.get_json()  # the unit is not a locked detail; unchanged values pass
    assert asked(api, T1, title="高级工程师")["status"] == "pending"  # the way to change it


def test_not_locked_before_a_print(api, app, world):
    created = api.as_(T2).post("/enrollments", json={"year": YEAR + 1, "unit_id": world.unit2, **{
        k: v for k, v in mine(api, T2)["values"].items() if k not in ("name", "phone", "title_series")}})
    api.decide("unit_reviewer_b", created.get_json()["id"], "reject", record_type="enrollment", comment="单位不符")
    response = api.as_(T2).patch(f"/enrollments/{created.get_json()['id']}", json={"title": "高级工程师"})
    assert response.status_code == 200, response.get_json()


def test_approved_next_years_enrolment_gets_the_new_details_too(api, app, world):
    values = {k: v for k, v in mine(api, T1)["values"].items() if k not in ("name", "phone", "title_series")}
    created = api.as_(T1).post("/enrollments", json={"year": YEAR + 1, "unit_id": world.unit1, **values})
    assert created.status_code == 201 and created.get_json()["approved"]  # same unit: no review
    change = asked(api, T1, specialty="桥梁工程")
    assert change["year"] == YEAR
    api.decide("unit_reviewer", change["id"], "approve", record_type="person_info_change")
    assert [_enrolment(app, world, year=y).specialty for y in (YEAR, YEAR + 1)] == ["桥梁工程", "桥梁工程"]


def test_post_me_profile_asks_for_the_same_change_as_the_profile_change_route(api):
    response = api.as_(T1).post("/me/profile", json={"specialty": "桥梁工程"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["changes"] == {"specialty": {"old": "公路工程", "new": "桥梁工程"}}
    assert mine(api, T1)["pending"]["id"] == response.get_json()["id"]
    assert api.as_(T1).post("/me/profile", json={"specialty": "隧道工程"}).status_code == 409  # one waits
    profile = api.as_(T1).get("/me/profile")  # GET is still the hour record's details, unchanged until approved
    assert profile.status_code == 200 and "桥梁工程" not in profile.get_data(as_text=True)
