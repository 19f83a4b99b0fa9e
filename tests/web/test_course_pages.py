"""The trainee's course pages: the catalogue (search, sort, batch add), 我的课程 (tabs, 已学时间,
进度, remove) and the study page whose script beats the clock (JSON with the CSRF header)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.support.courses import make_catalogue
from tests.support.world import T1


@pytest.fixture
def catalogue(app) -> dict[str, int]:
    return make_catalogue(app)


def test_a_trainee_adds_courses_in_batch_and_studies_one(web, catalogue, clock):
    client = web(T1)
    menu = client.text("/me")
    assert 'href="/my-courses"' in menu and 'href="/courses"' in menu
    page = client.text("/courses?sort=hours&order=desc")
    assert page.index("公路路线设计规范要点") < page.index("交通运输安全生产法规解读")  # 3.0 h before 1.5 h
    assert "规划与设计" in page and "行业公需科目" in page
    ids = [catalogue["交通运输安全生产法规解读"], catalogue["专业技术人员职业道德与诚信建设"]]
    added = client.post("/courses/add", {"course_id": [str(i) for i in ids], "next": "/courses"})
    assert "2 门课程已添加到我的课程" in client.follow(added).get_data(as_text=True)
    mine = client.text("/my-courses?tab=unstudied")
    assert "交通运输安全生产法规解读" in mine and "专业技术人员职业道德与诚信建设" in mine and "未学课程" in mine
    study = client.text(f"/my-courses/{ids[0]}")
    assert "点击继续学习" in study and "系统检测到您打开了新的学习窗口" in study and "js/study.js" in study
    token = re.search(r'name="csrf-token" content="([^"]+)"', study).group(1)
    headers = {"X-CSRFToken": token}
    start = client.client.post(f"/my-courses/{ids[0]}/start", json={}, headers=headers)
    assert start.status_code == 200 and start.get_json()["heartbeat_seconds"] == 30
    session = start.get_json()["session"]
    clock.advance(timedelta(seconds=30))
    beat = client.client.post(f"/my-courses/{ids[0]}/heartbeat", json={"session": session, "seq": 1}, headers=headers)
    assert beat.status_code == 200 and beat.get_json()["counted_seconds"] == 30
    forged = client.client.post(f"/my-courses/{ids[0]}/heartbeat", json={"session": session, "seq": 2})
    assert forged.status_code != 200  # no CSRF header: refused (the app's CSRF answer), nothing counted
    clock.advance(timedelta(seconds=10))
    beat = client.client.post(f"/my-courses/{ids[0]}/heartbeat", json={"session": session, "seq": 2}, headers=headers)
    assert beat.status_code == 200 and beat.get_json()["studied_seconds"] == 40
    bad = client.client.post(f"/my-courses/{ids[0]}/heartbeat", json={"session": session, "seq": "x"},
                             headers=headers)
    assert bad.status_code == 422
    removed = client.post(f"/my-courses/{ids[1]}/remove", {})
    assert "专业技术人员职业道德与诚信建设" not in client.follow(removed).get_data(as_text=True)


def test_only_trainees_open_the_course_pages(web, catalogue):
    for path in ("/courses", "/my-courses"):
        assert web("unit_reviewer").get(path).status_code == 403
    assert web(T1).get(f"/my-courses/{catalogue['交通强国建设纲要解读']}").status_code == 404  # not in my courses
