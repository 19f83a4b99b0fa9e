"""Course administration over the API (课程管理员): the category tree, courses, their video or PDF
(checked by content, size-limited, nothing stored when refused), publishing, the ledger guard on a
studied course, the audit log; and how a course's video is served to the learner (ranges, headers)."""
from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest

from app.courses.models import Course, CourseEvent
from app.extensions import db
from tests.support.courses import make_catalogue
from tests.support.files import exe, pdf, png
from tests.support.world import T1, T2

ADMIN = "course_admin"
# The first bytes of a webm file (EBML header, DocType "webm"): the check reads the container only.
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm" \
       + bytes(range(256)) * 8
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(1000)


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]


@pytest.fixture
def catalogue(app) -> dict[str, int]:
    return make_catalogue(app)


def _upload(api, course_id: int, data: bytes, name: str):
    return api.as_(ADMIN).post(f"/admin/courses/{course_id}/media", content_type="multipart/form-data",
                               data={"file": (io.BytesIO(data), name)})


def _new_course(api, catalogue, **overrides) -> dict:
    body = {"title": "隧道施工安全管理", "category_id": catalogue["建设与监理"], "duration_minutes": 30, "hours": "1.0"}
    return _ok(api.as_(ADMIN).post("/admin/courses", json={**body, **overrides}), 201)


def _events(app, **where) -> list[tuple[str, dict]]:
    with app.app_context():
        return [(e.action, e.data) for e in db.session.scalars(db.select(CourseEvent).filter_by(**where)
                                                                 .order_by(CourseEvent.id))]


def _stored(app) -> set[str]:
    root = Path(app.config["STORAGE"]["LOCAL_ROOT"]) / "courses"
    return {p.name for p in root.iterdir()} if root.is_dir() else set()


def test_categories_are_created_nested_renamed_moved_and_disabled(api, app, catalogue):
    top = _ok(api.as_(ADMIN).post("/admin/course-categories", json={"name": "水运工程", "parent_id": None,
                                                                    "subject": "professional"}), 201)
    assert top["active"] and top["subject"] == "professional"
    child = _ok(api.as_(ADMIN).post("/admin/course-categories", json={"name": "港口设计", "parent_id": top["id"]}),
                201)
    assert child["subject"] == "professional" and child["parent_id"] == top["id"]  # the parent's subject
    no_subject = _error(api.as_(ADMIN).post("/admin/course-categories", json={"name": "无科目"}), 422)
    assert "科目" in no_subject["message"]
    renamed = _ok(api.as_(ADMIN).patch(f"/admin/course-categories/{child['id']}", json={"name": "港口与航道"}))
    assert renamed["name"] == "港口与航道"
    moved = _ok(api.as_(ADMIN).patch(f"/admin/course-categories/{child['id']}",
                                     json={"parent_id": catalogue["一般公需科目"], "name": "港口与航道（公需）"}))
    assert moved["parent_id"] == catalogue["一般公需科目"] and moved["subject"] == "public_general"
    assert moved["name"] == "港口与航道（公需）"  # renamed and moved to another subject at once
    moved = _ok(api.as_(ADMIN).patch(f"/admin/course-categories/{child['id']}",
                                     json={"parent_id": catalogue["交通运输"], "name": "港口与航道"}))
    assert moved["parent_id"] == catalogue["交通运输"] and moved["subject"] == "professional"
    loop = _error(api.as_(ADMIN).patch(f"/admin/course-categories/{catalogue['交通运输']}",
                                       json={"parent_id": catalogue["规划与设计"]}), 422)  # under its own child
    assert "下级分类" in loop["message"]
    _ok(api.as_(ADMIN).patch(f"/admin/course-categories/{catalogue['交通运输']}", json={"active": False}))
    seen = {c["name"] for c in _ok(api.as_(T1).get("/course-categories"))["items"]}
    assert "交通运输" not in seen and "规划与设计" not in seen and "专业科目" in seen  # hidden with everything under
    titles = {c["title"] for c in _ok(api.as_(T1).get("/courses"))["items"]}
    assert "公路路线设计规范要点" not in titles and "交通强国建设纲要解读" in titles
    refused = api.as_(T1).post("/me/courses", json={"course_ids": [catalogue["公路路线设计规范要点"]]})
    assert refused.status_code == 422  # not in the catalogue any more
    listed = {c["name"]: c["active"] for c in _ok(api.as_(ADMIN).get("/admin/course-categories"))["items"]}
    assert listed["交通运输"] is False and listed["港口与航道"] is True
    assert [action for action, _data in _events(app)] == [
        "category_create", "category_create", "category_edit", "category_edit", "category_edit", "category_disable"]
    assert _events(app, category_id=child["id"])[1][1] == {"name": ["港口设计", "港口与航道"]}


def test_a_course_is_created_given_its_video_published_and_unpublished(api, app, catalogue):
    course = _new_course(api, catalogue)
    assert course["active"] is False and course["subject"] == "professional" and course["hours"] == 1.0
    assert course["id"] not in {c["id"] for c in _ok(api.as_(T1).get("/courses"))["items"]}  # 未发布
    no_media = _error(api.as_(ADMIN).post(f"/admin/courses/{course['id']}/publish", json={"active": True}), 409)
    assert no_media["code"] == "no_media" and "上传" in no_media["message"]
    uploaded = _ok(_upload(api, course["id"], WEBM, "隧道.webm"))
    assert uploaded["kind"] == "video" and uploaded["media_type"] == "video/webm" and uploaded["has_media"]
    _ok(api.as_(ADMIN).post(f"/admin/courses/{course['id']}/publish", json={"active": True}))
    assert course["id"] in {c["id"] for c in _ok(api.as_(T1).get("/courses"))["items"]}
    as_mp4 = _ok(_upload(api, course["id"], MP4, "隧道.MP4"))
    assert as_mp4["media_type"] == "video/mp4"
    as_pdf = _ok(_upload(api, course["id"], pdf(), "讲义.pdf"))
    assert as_pdf["kind"] == "document" and as_pdf["media_type"] == "application/pdf"
    edited = _ok(api.as_(ADMIN).patch(f"/admin/courses/{course['id']}", json={"title": "隧道施工安全", "hours": "1.5"}))
    assert edited["title"] == "隧道施工安全" and edited["hours"] == 1.5  # nobody has studied it yet
    _ok(api.as_(ADMIN).post(f"/admin/courses/{course['id']}/publish", json={"active": False}))
    assert course["id"] not in {c["id"] for c in _ok(api.as_(T1).get("/courses"))["items"]}  # 下架
    actions = [action for action, _data in _events(app, course_id=course["id"])]
    assert actions == ["course_create", "course_media", "course_publish", "course_media", "course_media",
                       "course_edit", "course_unpublish"]
    assert _events(app, course_id=course["id"])[5][1] == {"title": ["隧道施工安全管理", "隧道施工安全"],
                                                          "hours": ["1.0", "1.5"]}
    assert {e["action"] for e in _ok(api.as_(ADMIN).get("/admin/course-events"))["items"]} >= {"course_publish"}


@pytest.mark.parametrize(("data", "name", "code", "words"), [
    (pdf(), "讲座.mp4", "bad_file_type", "文件扩展名与文件内容（PDF）不符"),  # a PDF renamed .mp4
    (exe(), "player.mp4", "bad_file_type", "只能上传 mp4、webm 格式的视频或 pdf 格式的文档"),  # an executable
    (png(), "封面.png", "bad_file_type", "只能上传"),  # an image is no course
    (WEBM, "clip.mp4", "bad_file_type", "WEBM"),  # a webm named .mp4
    (b"", "empty.mp4", "bad_file", "文件为空"),
])
def test_uploads_are_checked_by_content_and_nothing_is_stored_when_refused(api, app, catalogue, data, name, code,
                                                                          words):
    course = _new_course(api, catalogue)
    before = _stored(app)
    error = _error(_upload(api, course["id"], data, name), 422)
    assert error["code"] == code and words in error["message"]
    assert _stored(app) == before
    assert _ok(api.as_(ADMIN).get(f"/admin/courses/{course['id']}"))["has_media"] is False
    assert "course_media" not in [action for action, _data in _events(app, course_id=course["id"])]


def test_a_video_over_the_size_limit_is_refused(api, app, catalogue, monkeypatch):
    monkeypatch.setitem(app.config, "COURSES", {**app.config.get("COURSES", {}), "MAX_MEDIA_BYTES": 1024 * 1024})
    course = _new_course(api, catalogue)
    before = _stored(app)
    error = _error(_upload(api, course["id"], WEBM + bytes(1024 * 1024), "big.webm"), 422)
    assert error["code"] == "file_too_large" and "超过 1 MB" in error["message"]
    assert _stored(app) == before


def test_a_studied_course_keeps_its_hours_subject_and_minimum_time(api, app, clock, catalogue):
    course_id = catalogue["交通强国建设纲要解读"]  # public_industry, 2.0 h
    patch = {"hours": "3.0"}
    assert _ok(api.as_(ADMIN).patch(f"/admin/courses/{course_id}", json=patch))["hours"] == 3.0  # not studied yet
    _ok(api.as_(T1).post("/me/courses", json={"course_ids": [course_id]}))
    assert _ok(api.as_(ADMIN).patch(f"/admin/courses/{course_id}", json={"hours": "2.0"}))["hours"] == 2.0
    session = _ok(api.as_(T1).post(f"/me/courses/{course_id}/start"))["session"]
    clock.advance(timedelta(seconds=30))
    _ok(api.as_(T1).post(f"/me/courses/{course_id}/heartbeat", json={"session": session, "seq": 1}))
    for change in ({"hours": "3.0"}, {"duration_minutes": 10}, {"category_id": catalogue["规划与设计"]}):
        error = _error(api.as_(ADMIN).patch(f"/admin/courses/{course_id}", json=change), 409)
        assert error["code"] == "course_studied" and "学时、科目和最少学习时间不能再改" in error["message"]
    moved = _error(api.as_(ADMIN).patch(f"/admin/course-categories/{catalogue['行业公需科目']}",
                                        json={"parent_id": catalogue["专业科目"]}), 409)
    assert moved["code"] == "course_studied"  # its courses would change subject
    same_subject = _ok(api.as_(ADMIN).patch(f"/admin/courses/{course_id}",
                                            json={"title": "交通强国建设纲要解读（2026版）", "hours": "2.0"}))
    assert same_subject["title"].endswith("（2026版）") and same_subject["studied"] is True
    with app.app_context():
        row = db.session.get(Course, course_id)
        assert (str(row.hours), row.subject, row.duration_seconds) == ("2.0", "public_industry", 3600)


def test_a_category_move_to_another_subject_takes_its_unstudied_courses_along(api, app, catalogue):
    _ok(api.as_(ADMIN).patch(f"/admin/course-categories/{catalogue['规划与设计']}",
                             json={"parent_id": catalogue["一般公需科目"]}))
    course = _ok(api.as_(ADMIN).get(f"/admin/courses/{catalogue['公路路线设计规范要点']}"))
    assert course["subject"] == "public_general" and course["category"]["subject"] == "public_general"


def test_only_course_administrators_manage_courses(api, catalogue):
    for who in ("process_admin", "admin", "provider_admin", T1):
        assert api.as_(who).get("/admin/courses").status_code == 403
        refused = api.as_(who).post("/admin/course-categories", json={"name": "x", "subject": "professional"})
        assert refused.status_code == 403 and "课程管理员" in refused.get_json()["error"]["message"]
    assert api.anonymous.get("/admin/courses").status_code == 401


def test_the_learner_plays_the_video_with_ranges_and_safe_headers(api, app, catalogue):
    course = _new_course(api, catalogue)
    _ok(_upload(api, course["id"], WEBM, "隧道.webm"))
    _ok(api.as_(ADMIN).post(f"/admin/courses/{course['id']}/publish", json={"active": True}))
    _ok(api.as_(T1).post("/me/courses", json={"course_ids": [course["id"]]}))
    from tests.support.web import logged_in
    client = logged_in(app, T1).client
    whole = client.get(f"/my-courses/{course['id']}/media")
    assert whole.status_code == 200 and whole.data == WEBM and whole.mimetype == "video/webm"
    assert whole.headers["X-Content-Type-Options"] == "nosniff" and whole.headers["Accept-Ranges"] == "bytes"
    assert "default-src 'none'" in whole.headers["Content-Security-Policy"]
    assert whole.headers["Content-Disposition"] == "inline"
    part = client.get(f"/my-courses/{course['id']}/media", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == WEBM[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(WEBM)}"
    beyond = client.get(f"/my-courses/{course['id']}/media", headers={"Range": f"bytes={len(WEBM) + 10}-"})
    assert beyond.status_code == 416
    page = client.get(f"/my-courses/{course['id']}").get_data(as_text=True)
    assert "<video" in page and f"/my-courses/{course['id']}/media" in page
    other = logged_in(app, T2).client.get(f"/my-courses/{course['id']}/media")
    assert other.status_code == 404  # not in T2's courses


def test_the_demo_has_playable_video_courses_over_the_three_subjects(api, app, catalogue):
    courses = _ok(api.as_(ADMIN).get("/admin/courses"))["items"]
    assert len(courses) >= 12 and {c["subject"] for c in courses} == {"professional", "public_general",
                                                                       "public_industry"}
    videos = [c for c in courses if c["kind"] == "video"]
    assert len(videos) >= 5 and {c["subject"] for c in videos} == {"professional", "public_general",
                                                                    "public_industry"}
    clip = api.as_(ADMIN).get(f"/admin/courses/{videos[0]['id']}/media")
    assert clip.status_code == 200 and clip.mimetype == "video/webm"
    assert clip.data.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in clip.data[:64] and len(clip.data) > 10_000


def test_a_video_larger_than_a_proof_file_uploads_within_the_media_limit(api, app, catalogue):
    assert app.config["MAX_CONTENT_LENGTH"] < 13 * 1024 * 1024  # the app-wide limit (proof files)
    course = _new_course(api, catalogue)
    big = WEBM + bytes(13 * 1024 * 1024)
    uploaded = _ok(_upload(api, course["id"], big, "长视频.webm"))
    assert uploaded["has_media"] and uploaded["kind"] == "video"
    assert api.as_(ADMIN).get(f"/admin/courses/{course['id']}/media").data == big


@pytest.mark.parametrize("backend_file", [True, False], ids=["local file", "whole object (S3-like)"])
def test_ranges_are_served_whether_the_storage_keeps_a_local_file_or_not(api, app, catalogue, monkeypatch,
                                                                         backend_file):
    from app.storage.local import LocalStorage
    if not backend_file:  # a backend with no local file (S3): the object is fetched whole, the range cut
        monkeypatch.setattr(LocalStorage, "local_path", lambda self, key: None)
    course_id = catalogue["交通强国建设纲要解读"]  # a demo video
    whole = api.as_(ADMIN).get(f"/admin/courses/{course_id}/media")
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    part = api.as_(ADMIN).get(f"/admin/courses/{course_id}/media", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.data == whole.data[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(whole.data)}"
    assert part.mimetype == "video/webm" and part.headers["X-Content-Type-Options"] == "nosniff"
    assert part.headers["Content-Disposition"] == "inline"
