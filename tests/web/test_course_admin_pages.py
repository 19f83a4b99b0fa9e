"""The course administrator's pages: 课程分类管理 (new, rename, nest, 停用) and 课程管理 (new course,
upload its video checked by content, 发布 / 下架, the ledger guard, 操作记录); only that hat opens them."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.integration.test_course_admin import WEBM
from tests.support.courses import make_catalogue
from tests.support.files import pdf
from tests.support.world import T1

ADMIN = "course_admin"


@pytest.fixture
def catalogue(app) -> dict[str, int]:
    return make_catalogue(app)


def test_a_course_administrator_manages_categories(web, catalogue):
    client = web(ADMIN)
    home = client.get("/")
    assert home.headers["Location"].endswith("/admin/courses")  # the hat's start page
    menu = client.follow(home).get_data(as_text=True)
    assert 'href="/admin/courses"' in menu and 'href="/admin/course-categories"' in menu and "课程管理员" in menu
    page = client.text("/admin/course-categories")
    assert "课程分类管理" in page and "规划与设计" in page
    missing = client.post("/admin/course-categories", {"name": "水运工程", "parent_id": "0", "subject": ""})
    assert missing.status_code == 422 and "请选择科目" in missing.get_data(as_text=True)
    made = client.post("/admin/course-categories", {"name": "水运工程", "parent_id": "0", "subject": "professional"})
    assert "已新增课程分类“水运工程”" in client.follow(made).get_data(as_text=True)
    edit = client.post(f"/admin/course-categories/{catalogue['运营与管理']}",
                       {"name": "运营管理", "parent_id": str(catalogue["专业科目"])})  # no "active": 停用
    page = client.follow(edit).get_data(as_text=True)
    assert "课程分类已保存" in page and "运营管理" in page and "已停用" in page
    assert "智慧公路运营管理" not in web(T1).text("/courses")  # its course left the catalogue
    loop = client.post(f"/admin/course-categories/{catalogue['交通运输']}",
                       {"name": "交通运输", "parent_id": str(catalogue["规划与设计"]), "active": "y"})
    assert "不能把分类放到它自己或它的下级分类之下" in client.follow(loop).get_data(as_text=True)


def test_a_course_administrator_makes_uploads_and_publishes_a_course(web, app, catalogue):
    client = web(ADMIN)
    made = client.post("/admin/courses", {"title": "隧道施工安全管理", "category_id": str(catalogue["建设与监理"]),
                                          "duration_minutes": "30", "hours": "1.0"})
    assert made.status_code == 302
    path = made.headers["Location"]
    page = client.follow(made).get_data(as_text=True)
    assert "课程已新增" in page and "未发布" in page and "尚未上传" in page
    root = Path(app.config["STORAGE"]["LOCAL_ROOT"]) / "courses"
    before = set(root.iterdir())
    refused = client.post(f"{path}/media", {"file": (io.BytesIO(pdf()), "讲座.mp4")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "文件扩展名与文件内容（PDF）不符" in refused.get_data(as_text=True)
    assert set(root.iterdir()) == before
    no_media = client.post(f"{path}/publish", {"active": "1"})
    assert "请先上传课程视频或文档" in client.follow(no_media).get_data(as_text=True)
    done = client.post(f"{path}/media", {"file": (io.BytesIO(WEBM), "隧道.webm")}, content_type="multipart/form-data")
    page = client.follow(done).get_data(as_text=True)
    assert "课程视频或文档已上传" in page and "<video" in page
    published = client.post(f"{path}/publish", {"active": "1"})
    page = client.follow(published).get_data(as_text=True)
    assert "课程已发布" in page and "已发布" in page and "发布" in page and "上传视频或文档" in page  # 操作记录
    assert "隧道施工安全管理" in web(T1).text("/courses")
    preview = client.get(f"{path}/media", headers={"Range": "bytes=0-3"})
    assert preview.status_code == 206 and preview.data == WEBM[:4]
    forged = client.post(f"{path}/publish", {"active": "0"}, csrf=False)
    assert forged.status_code == 302  # no CSRF token: the app's "form expired" answer, nothing done
    page = client.text(path)
    assert "已发布" in page and "课程已下架" not in page


def test_a_studied_course_keeps_its_hours_on_the_page(web, catalogue, clock):
    course_id = catalogue["交通强国建设纲要解读"]
    learner = web(T1)
    learner.post("/courses/add", {"course_id": [str(course_id)], "next": "/courses"})
    study = learner.text(f"/my-courses/{course_id}")
    assert "<video" in study  # a demo video course
    headers = {"X-CSRFToken": re.search(r'name="csrf-token" content="([^"]+)"', study).group(1)}
    session = learner.client.post(f"/my-courses/{course_id}/start", json={}, headers=headers).get_json()["session"]
    clock.advance(timedelta(seconds=30))
    assert learner.client.post(f"/my-courses/{course_id}/heartbeat", json={"session": session, "seq": 1},
                               headers=headers).status_code == 200
    client = web(ADMIN)
    assert "已有学员学习此课程" in client.text(f"/admin/courses/{course_id}")
    refused = client.post(f"/admin/courses/{course_id}", {"title": "交通强国建设纲要解读", "hours": "3.0",
                                                          "category_id": str(catalogue["行业公需科目"]),
                                                          "duration_minutes": "60"})
    assert refused.status_code == 409 and "学时、科目和最少学习时间不能再改" in refused.get_data(as_text=True)
    for hours in ("NaN", "sNaN", "Infinity", "-1", "abc"):
        odd = client.post(f"/admin/courses/{course_id}", {"title": "x", "hours": hours, "duration_minutes": "60",
                                                          "category_id": str(catalogue["行业公需科目"])})
        assert odd.status_code == 422, hours  # a form error, never a 500
    renamed = client.post(f"/admin/courses/{course_id}", {"title": "交通强国建设纲要解读（2026）", "hours": "2.0",
                                                          "category_id": str(catalogue["行业公需科目"]),
                                                          "duration_minutes": "60"})
    assert "课程已保存" in client.follow(renamed).get_data(as_text=True)


def test_only_course_administrators_open_the_admin_pages(web, catalogue):
    course_id = catalogue["交通强国建设纲要解读"]
    for who in (T1, "unit_reviewer", "process_admin", "admin"):
        client = web(who)
        for path in ("/admin/courses", "/admin/course-categories", f"/admin/courses/{course_id}",
                     f"/admin/courses/{course_id}/media"):
            assert client.get(path).status_code == 403, (who, path)
        assert client.post(f"/admin/courses/{course_id}/publish", {"active": "0"}).status_code == 403
    assert web().get("/admin/courses").status_code in (302, 401)


def test_a_video_larger_than_a_proof_file_uploads_on_the_page(web, app, catalogue, monkeypatch):
    client = web(ADMIN)
    course_id = catalogue["交通强国建设纲要解读"]
    client.get(f"/admin/courses/{course_id}")
    big = WEBM + bytes(13 * 1024 * 1024)
    done = client.post(f"/admin/courses/{course_id}/media", {"file": (io.BytesIO(big), "长视频.webm")},
                       content_type="multipart/form-data")
    assert done.status_code == 302 and "课程视频或文档已上传" in client.follow(done).get_data(as_text=True)
    monkeypatch.setitem(app.config, "COURSES", {**app.config.get("COURSES", {}), "MAX_MEDIA_BYTES": 1024 * 1024})
    refused = client.post(f"/admin/courses/{course_id}/media", {"file": (io.BytesIO(WEBM + bytes(1024 * 1024)),
                                                                          "大.webm")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "文件超过 1 MB，不能上传" in refused.get_data(as_text=True)


def test_only_a_course_administrator_may_send_a_body_over_the_app_limit(web, app, catalogue):
    course_id = catalogue["交通强国建设纲要解读"]
    big = bytes(app.config["MAX_CONTENT_LENGTH"] + 1024)
    for client in (web(), web(T1)):  # not logged in; a trainee: cut off at the app-wide limit, unread
        refused = client.client.post(f"/admin/courses/{course_id}/media", data={"file": (io.BytesIO(big), "a.webm")},
                                     content_type="multipart/form-data")
        assert refused.status_code == 413
