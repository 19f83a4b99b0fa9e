"""The demo's course video plays in Chromium on the study page (VP9/webm, served with ranges)."""
from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.support.api import ApiClient
from tests.support.courses import make_catalogue
from tests.support.world import T1


def test_the_demo_video_plays_on_the_study_page(app, api: ApiClient, new_page: Callable[[], Page],
                                               login: Callable[..., None]) -> None:
    course_id = make_catalogue(app)["交通强国建设纲要解读"]  # a demo video course
    assert api.as_(T1).post("/me/courses", json={"course_ids": [course_id]}).status_code == 200
    page = new_page()
    login(page, T1)
    page.goto(f"/my-courses/{course_id}")
    video = page.locator("#study video")
    expect(video).to_be_visible()
    page.wait_for_function("() => document.querySelector('#study video').readyState >= 2", timeout=10000)
    size = video.evaluate("v => [v.videoWidth, v.videoHeight, v.duration, v.error && v.error.code]")
    assert size[:2] == [480, 270] and 3.5 <= size[2] <= 4.5 and size[3] is None
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function("() => document.querySelector('#study video').currentTime > 0.5", timeout=10000)


def test_the_course_administrators_pages_name_every_field(app, world, new_page: Callable[[], Page],
                                                          login: Callable[..., None]) -> None:
    from .test_journeys import UNNAMED_FIELDS

    course_id = make_catalogue(app)["交通强国建设纲要解读"]
    page = new_page()
    login(page, "course_admin")
    problems = {}
    for path in ("/admin/courses", "/admin/course-categories", f"/admin/courses/{course_id}"):
        page.goto(path)
        problems[path] = page.evaluate(UNNAMED_FIELDS)
    assert all(found["checked"] for found in problems.values()), problems
    missing = {path: found["missing"] for path, found in problems.items() if found["missing"]}
    assert not missing, missing
    page.goto(f"/admin/courses/{course_id}")
    page.wait_for_function("() => document.querySelector('video').readyState >= 1", timeout=10000)  # the preview
