"""Online courses over the API: the catalogue, 我的课程, and the study clock that counts only real
time, one window at a time, nothing while idle or replayed; a finished course credits once."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import HourEntry
from tests.support.courses import make_catalogue
from tests.support.world import T1, T2


def _ok(response) -> dict:
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def catalogue(app) -> dict[str, int]:
    return make_catalogue(app)


def _titles(body: dict) -> list[str]:
    return [c["title"] for c in body["items"]]


def test_the_catalogue_by_category_subject_name_and_sort(api, catalogue):
    traffic = _ok(api.as_(T1).get("/courses", query_string={"category_id": catalogue["交通运输"]}))
    assert sorted(_titles(traffic)) == sorted(["公路路线设计规范要点", "城市轨道交通线网规划", "公路工程施工监理实务",
                                               "桥梁工程质量检测", "智慧公路运营管理"])  # the whole sub-tree
    public = _ok(api.as_(T1).get("/courses", query_string={"subject": "public_industry", "sort": "hours",
                                                            "order": "desc"}))
    assert [c["hours"] for c in public["items"]] == [2.0, 1.5, 1.5, 1.0]
    assert _titles(public)[0] == "交通强国建设纲要解读"
    assert _titles(_ok(api.as_(T1).get("/courses", query_string={"q": "监理"}))) == ["公路工程施工监理实务"]
    shortest = _ok(api.as_(T1).get("/courses", query_string={"sort": "duration"}))["items"][0]
    assert shortest["title"] == "交通运输安全生产法规解读" and shortest["subject_label"] == "行业公需科目"
    tree = _ok(api.as_(T1).get("/course-categories"))["items"]
    assert {c["name"] for c in tree} >= {"行业公需科目", "专业科目", "交通运输", "规划与设计"}


def test_courses_are_added_in_batch_listed_by_tab_and_removed(api, catalogue):
    ids = [catalogue["交通运输安全生产法规解读"], catalogue["公路路线设计规范要点"]]
    added = _ok(api.as_(T1).post("/me/courses", json={"course_ids": ids + ids[:1]}))
    assert added["total"] == 2 and all(i["progress"] == 0 for i in added["items"])
    again = _ok(api.as_(T1).post("/me/courses", json={"course_ids": ids[:1]}))
    assert again["total"] == 2  # already there: unchanged
    assert _ok(api.as_(T1).get("/me/courses", query_string={"tab": "unstudied"}))["total"] == 2
    assert _ok(api.as_(T1).get("/me/courses", query_string={"tab": "studied"}))["total"] == 0
    _ok(api.as_(T1).delete(f"/me/courses/{ids[1]}"))
    assert _titles({"items": [i["course"] for i in _ok(api.as_(T1).get("/me/courses"))["items"]]}) == [
        "交通运输安全生产法规解读"]
    assert _ok(api.as_(T2).get("/me/courses"))["total"] == 0  # each person their own
    bad = api.as_(T1).post("/me/courses", json={"course_ids": [999999]})
    assert bad.status_code == 422
    assert api.as_("unit_reviewer").post("/me/courses", json={"course_ids": ids}).status_code == 403


def _start(api, who: str, course_id: int) -> str:
    return _ok(api.as_(who).post(f"/me/courses/{course_id}/start"))["session"]


def _beat(api, who: str, course_id: int, session: str, seq: int, idle: bool = False):
    return api.as_(who).post(f"/me/courses/{course_id}/heartbeat", json={"session": session, "seq": seq,
                                                                         "idle": idle})


@pytest.fixture
def studying(api, catalogue, clock) -> tuple[int, str]:
    course_id = catalogue["交通强国建设纲要解读"]  # an hour long
    _ok(api.as_(T1).post("/me/courses", json={"course_ids": [course_id]}))
    return course_id, _start(api, T1, course_id)


def test_study_time_never_runs_faster_than_real_time(api, clock, studying):
    course_id, session = studying
    clock.advance(timedelta(seconds=1))
    beat = _ok(_beat(api, T1, course_id, session, 1))
    assert beat["counted_seconds"] <= 1 and beat["studied_seconds"] <= 1
    clock.advance(timedelta(minutes=10))  # the page sat 10 minutes without a beat: one gap's worth at most
    beat = _ok(_beat(api, T1, course_id, session, 2))
    assert beat["counted_seconds"] == 60 and beat["studied_seconds"] <= 61
    clock.advance(timedelta(seconds=30))
    beat = _ok(_beat(api, T1, course_id, session, 3))
    assert beat["counted_seconds"] == 30 and beat["progress"] == round(100 * beat["studied_seconds"] / 3600, 1)


def test_a_second_window_stops_the_first_with_the_seeds_message(api, clock, studying):
    course_id, first = studying
    second = _start(api, T1, course_id)
    clock.advance(timedelta(seconds=30))
    refused = _beat(api, T1, course_id, first, 1)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "session_replaced"
    assert "系统检测到您打开了新的学习窗口" in refused.get_json()["error"]["message"]
    assert _ok(_beat(api, T1, course_id, second, 1))["counted_seconds"] == 30


def test_another_course_in_another_window_stops_the_first_too(api, clock, catalogue, studying):
    course_id, first = studying
    other = catalogue["专业技术人员职业道德与诚信建设"]
    _ok(api.as_(T1).post("/me/courses", json={"course_ids": [other]}))
    _start(api, T1, other)
    clock.advance(timedelta(seconds=30))
    assert _beat(api, T1, course_id, first, 1).status_code == 409


def test_a_replayed_heartbeat_counts_nothing(api, clock, studying):
    course_id, session = studying
    clock.advance(timedelta(seconds=30))
    _ok(_beat(api, T1, course_id, session, 1))
    clock.advance(timedelta(seconds=30))
    replay = _beat(api, T1, course_id, session, 1)
    assert replay.status_code == 409 and replay.get_json()["error"]["code"] == "stale_heartbeat"
    assert _ok(_beat(api, T1, course_id, session, 2))["studied_seconds"] == 60


def test_an_older_sequence_number_is_refused_and_counts_nothing(api, clock, studying):
    course_id, session = studying
    clock.advance(timedelta(seconds=30))
    _ok(_beat(api, T1, course_id, session, 5))  # numbers may skip (a lost beat) but never go back
    clock.advance(timedelta(seconds=30))
    older = _beat(api, T1, course_id, session, 3)
    assert older.status_code == 409 and older.get_json()["error"]["code"] == "stale_heartbeat"
    assert _ok(_beat(api, T1, course_id, session, 6))["studied_seconds"] == 60  # the refused beat added nothing


def test_a_burst_of_beats_counts_no_more_than_the_time_that_passed(api, clock, studying):
    course_id, session = studying
    clock.advance(timedelta(seconds=5))
    counted = [_ok(_beat(api, T1, course_id, session, seq))["counted_seconds"] for seq in range(1, 21)]
    assert sum(counted) == 5  # twenty beats in five seconds: five seconds
    assert _ok(api.as_(T1).get("/me/courses"))["items"][0]["studied_seconds"] == 5


def test_nothing_counts_while_idle(api, clock, studying):
    course_id, session = studying
    clock.advance(timedelta(seconds=30))
    assert _ok(_beat(api, T1, course_id, session, 1, idle=True))["counted_seconds"] == 0
    clock.advance(timedelta(seconds=30))
    assert _ok(_beat(api, T1, course_id, session, 2))["counted_seconds"] == 30  # 点击继续学习: counting again


def test_nobody_studies_on_another_persons_session_or_course(api, clock, studying):
    course_id, session = studying
    clock.advance(timedelta(seconds=30))
    assert _beat(api, T2, course_id, session, 1).status_code == 404  # not in T2's courses
    _ok(api.as_(T2).post("/me/courses", json={"course_ids": [course_id]}))
    assert _beat(api, T2, course_id, session, 1).status_code == 409  # T1's session is not T2's
    assert _ok(_beat(api, T1, course_id, session, 1))["counted_seconds"] == 30


def test_a_finished_course_credits_its_hours_once_under_its_subject(api, app, clock, catalogue, world):
    course_id = catalogue["交通运输安全生产法规解读"]  # 120 s, 1.5 h, industry public
    _ok(api.as_(T1).post("/me/courses", json={"course_ids": [course_id]}))
    session = _start(api, T1, course_id)
    before = _ok(api.as_(T1).get("/me/hours"))["public"]
    for seq in range(1, 6):
        clock.advance(timedelta(seconds=30))
        beat = _ok(_beat(api, T1, course_id, session, seq))
    assert beat["completed"] and beat["studied_seconds"] == 120 and beat["progress"] == 100.0
    assert _ok(api.as_(T1).get("/me/hours"))["public"] == before + 1.5
    with app.app_context():
        entries = db.session.execute(db.select(HourEntry.category, HourEntry.hours).where(
            HourEntry.source == "course", HourEntry.user_id == world.user[T1])).all()
    assert [(c, float(h)) for c, h in entries] == [("public_industry", 1.5)]
    studied = _ok(api.as_(T1).get("/me/courses", query_string={"tab": "studied"}))["items"]
    assert [i["course"]["id"] for i in studied] == [course_id]
    refused = api.as_(T1).delete(f"/me/courses/{course_id}")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "completed"


def test_the_consistency_check_holds_the_course_credits_to_the_finished_courses(api, app, clock, catalogue):
    from app.services.consistency import check_all

    course_id = catalogue["交通运输安全生产法规解读"]
    _ok(api.as_(T1).post("/me/courses", json={"course_ids": [course_id]}))
    session = _start(api, T1, course_id)
    for seq in range(1, 5):
        clock.advance(timedelta(seconds=30))
        _ok(_beat(api, T1, course_id, session, seq))
    with app.app_context():
        report = check_all()
        assert report.ok and report.checked["courses"] == 1
        db.session.execute(db.text("UPDATE hour_entry SET hours = 3 WHERE source = 'course'"))
        db.session.commit()
        assert {p.check for p in check_all().problems} == {"courses"}
