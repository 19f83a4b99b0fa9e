"""A demo trainee reaches 合格 for this year through the pages alone — online public courses and two
credit-hour claims reviewed by the unit and the authority — confirms the enrolment details, prints the
hour record (学时证明) and the public page verifies its number.

The study clock runs 60 times faster in this test only (``CLOCK.accelerate``; the API has no way to
do it) and the public courses take two minutes each, so the page's real heartbeats, one a second,
count a minute each; the server still counts no more than the clock says has passed.
"""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.clock import CLOCK
from app.courses.models import Course
from app.extensions import db
from tests.support.files import pdf
from tests.support.world import T1, World

from .test_journeys import Login, NewPage, Shot, accept_dialogs, at, badge

TRAINEE_NAME = "张伟"
PUBLIC = ("public_general", "public_industry")


@pytest.fixture
def quick_courses(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Decimal:
    """Every public course takes two minutes of study; the page beats every second. Returns the
    public hours the catalogue offers."""
    monkeypatch.setitem(app.config["COURSES"], "HEARTBEAT_SECONDS", 1)
    with app.app_context():
        public = list(db.session.scalars(select(Course).where(Course.subject.in_(PUBLIC))))
        for course in public:
            course.duration_seconds = 120
        db.session.commit()
        return sum((course.hours for course in public), Decimal(0))


def _claim(trainee: Page, route: str, title: str, *, days: str | None = None) -> None:
    trainee.goto("/claims/new")
    trainee.get_by_label("登记类别").select_option(label=route)
    if days:
        trainee.get_by_label("天数").fill(days)
    trainee.get_by_label("材料标题").fill(title)
    trainee.get_by_label("申请学时").fill("36")
    trainee.get_by_role("button", name="保存信息").click()
    expect(trainee).to_have_url(at(r"/claims/\d+\?saved=1"))
    trainee.get_by_label("选择文件，或将文件拖到此处").set_input_files(
        files=[{"name": "证明.pdf", "mimeType": "application/pdf", "buffer": pdf()}])
    trainee.get_by_label("附件说明").fill("证明材料")
    trainee.get_by_role("button", name="上传", exact=True).click()
    expect(trainee.locator("[data-file-list]").get_by_role("link", name="证明材料")).to_be_visible()
    trainee.get_by_role("button", name="保存并提交审核").click()
    expect(badge(trainee)).to_have_text("等待单位审核")


def _approve(page: Page, title: str, *, hours: str | None = None) -> None:
    page.goto("/inbox")
    page.get_by_role("link", name=f"办理 {TRAINEE_NAME} · {title}", exact=True).click()
    expect(page).to_have_url(at(r"/tasks/\d+(\?.*)?"))
    page.get_by_role("radio", name="通过", exact=True).check()
    if hours is not None:
        page.locator("#step-hours").fill(hours)
    page.get_by_role("button", name="提交审核", exact=True).click()
    expect(page).to_have_url(at(r"/inbox(\?.*)?"))


def test_a_trainee_reaches_qualified_prints_the_record_and_the_number_verifies(
        app: Flask, world: World, new_page: NewPage, login: Login, shot: Shot, quick_courses: Decimal) -> None:
    assert quick_courses >= Decimal(18), "the demo catalogue must offer the 18 public hours a year needs"
    trainee = accept_dialogs(new_page())
    login(trainee, T1)
    expect(trainee).to_have_url(at("/hours"))
    expect(trainee.get_by_test_id("completion")).to_have_text("未完成")

    # 课程中心: pick every public course at once (批量添加), by subject.
    for category in ("一般公需科目", "行业公需科目"):
        trainee.goto("/courses")
        trainee.get_by_role("navigation", name="课程分类").get_by_role("link", name=category, exact=True).click()
        boxes = trainee.locator('input[type="checkbox"][name="course_id"]')
        for i in range(boxes.count()):
            boxes.nth(i).check()
        trainee.get_by_role("button", name="批量添加到我的课程").click()
        expect(trainee.locator(".flash-success")).to_be_visible()

    # 我的课程: study each one until the server says 100 %.
    CLOCK.accelerate(60)
    try:
        trainee.goto("/my-courses?tab=unstudied")
        count = trainee.get_by_role("link", name=re.compile("^学习 ")).count()
        assert count >= 1
        for _ in range(count):
            trainee.goto("/my-courses?tab=unstudied")
            trainee.get_by_role("link", name=re.compile("^学习 ")).first.click()
            expect(trainee.locator("#progress")).to_have_text("100", timeout=20_000)
    finally:
        CLOCK.reset()
    trainee.goto("/my-courses?tab=unstudied")
    expect(trainee.get_by_role("link", name=re.compile("^学习 "))).to_have_count(0)

    # Two claims of 36 hours on two routes (each route counts at most 36 a year).
    titles = ("【国家级】参加交通运输部高研班", "【省级】交通运输行业新技术培训")
    _claim(trainee, "参加高研班", titles[0])
    _claim(trainee, "参加培训进修", titles[1], days="6")
    unit, authority = new_page(), new_page()
    login(unit, "unit_reviewer")
    login(authority, "authority_reviewer")
    for title in titles:
        _approve(unit, title)
        _approve(authority, title, hours="36")

    # 学习首页: 合格, with the online hours and the registered claims by source.
    trainee.goto("/hours")
    expect(trainee.get_by_test_id("completion")).to_have_text("合格")
    expect(trainee.locator("tr", has_text="在线学习")).to_contain_text(f"{quick_courses:.1f}")
    expect(trainee.locator("tr", has_text="学时登记")).to_contain_text("72.0")
    shot(trainee, "learning_home_qualified")

    # 学习证明: confirm the details, print, and find the print in the log.
    trainee.get_by_role("link", name="学时证明打印").click()
    expect(trainee.get_by_test_id("profile-status")).to_contain_text("未核实")
    trainee.get_by_role("button", name="信息核实").click()
    expect(trainee.get_by_test_id("profile-status")).to_have_text("您的报名信息: 已核实。")
    with trainee.expect_download() as download:
        trainee.get_by_role("button", name="打印学时证明").click()
    assert download.value.suggested_filename.startswith("hour-record-")
    trainee.reload()
    number = trainee.locator("table", has_text="打印编号").locator("tbody tr td").nth(1).inner_text().strip()
    assert re.fullmatch(r"\d{4}XS\d{10}", number), number
    shot(trainee, "hour_record_printed")

    # Anyone checks the number (what the PDF's QR code opens), without logging in.
    public = new_page()
    public.goto(f"/records/verify/{number}")
    expect(public.locator(".badge-ok")).to_have_text("真实有效")
    expect(public.locator("dl")).to_contain_text(TRAINEE_NAME)
    expect(public.locator("dl")).to_contain_text("合格")
    shot(public, "hour_record_verified")
