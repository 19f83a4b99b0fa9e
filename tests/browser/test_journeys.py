"""Whole journeys through the pages in a real Chromium (see conftest.py for the set-up).

Run: ``python -m pytest tests/browser -q``. Screenshots land in
test-artifacts/screenshots/ (git-ignored): look at them after a UI change.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.support.api import ApiClient
from tests.support.files import pdf
from tests.support.people import NEW_TRAINEE_ID, make_trainee, resident_id
from tests.support.world import T1, T2, World

from .conftest import DESKTOP, PHONE, page_overflow

NewPage = Callable[[], Page]
Login = Callable[..., None]
Shot = Callable[[Page, str], Any]

UNIT_1 = "演示交通工程有限公司"
TRAINEE_NAME = "赵敏"
NEW_PASSWORD = "Xuexi2024abc"


def at(path: str) -> re.Pattern[str]:
    """A page address whose path (and query) is ``path``, a regular expression, in full."""
    return re.compile(r"^https?://[^/]+" + path + "$")


def accept_dialogs(page: Page) -> Page:
    """Accept every confirm() (submit, withdraw): the person clicked OK."""
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def badge(page: Page):
    return page.locator("h1 .badge")


def open_task(page: Page, who: str) -> None:
    """From the inbox, open the task of ``who`` (the link reads 办理 <name> · <record> to screen readers)."""
    page.goto("/inbox")
    page.get_by_role("link", name=re.compile(rf"^办理 {re.escape(who)} · ")).click()
    expect(page).to_have_url(at(r"/tasks/\d+(\?.*)?"))


def decide(page: Page, decision: str, *, hours: str | None = None, comment: str | None = None) -> None:
    page.get_by_role("radio", name=decision, exact=True).check()
    if hours is not None:
        page.locator("#step-hours").fill(hours)
    if comment is not None:
        page.get_by_label("审核意见").fill(comment)
    page.get_by_role("button", name="提交审核", exact=True).click()
    expect(page).to_have_url(at(r"/inbox(\?.*)?"))
    expect(page.locator(".flash-success")).to_contain_text(TRAINEE_NAME)


class Snapper:
    """Screenshots at 1280 px and at a phone's 390 px, noting pages wider than the phone."""

    def __init__(self, shot: Shot):
        self.shot = shot
        self.too_wide: list[str] = []

    def __call__(self, page: Page, name: str, *, reload_until: str | None = None) -> None:
        """``reload_until``: load the page again at the phone's size (for what scripts lay out on
        load) and wait for this selector."""
        self.shot(page, name)
        page.set_viewport_size(PHONE)
        try:
            if reload_until:
                page.reload()
                expect(page.locator(reload_until).first).to_be_attached()
            info = page_overflow(page)
            if info["scrollWidth"] > info["innerWidth"] + 1:
                self.too_wide.append(f"{name} ({page.url}): {info['scrollWidth']}px > {info['innerWidth']}px; "
                                     f"{info['offenders']}")
            self.shot(page, f"{name}_phone")
        finally:
            page.set_viewport_size(DESKTOP)


# -- 1. the main journey ----------------------------------------------------------------

def test_first_day_enrolment_claim_review_and_registration(
        app: Flask, world: World, api: ApiClient, new_page: NewPage, login: Login, shot: Shot) -> None:
    snap = Snapper(shot)
    # A brand-new trainee; the initial password is the last six characters of the ID number.
    make_trainee(app, must_change_password=True, password=NEW_TRAINEE_ID[-6:])
    trainee = accept_dialogs(new_page())

    # Log in with the initial password: the site insists on a new one first.
    trainee.goto("/login")
    expect(trainee.get_by_role("heading", name="登录")).to_be_visible()
    snap(trainee, "login")
    login(trainee, NEW_TRAINEE_ID, NEW_TRAINEE_ID[-6:])
    expect(trainee).to_have_url(at("/password"))
    expect(trainee.locator(".flash-warning").first).to_be_visible()
    # Any other page sends them back here until the password is changed.
    trainee.goto("/enrollment")
    expect(trainee).to_have_url(at("/password"))
    trainee.get_by_label("原密码").fill(NEW_TRAINEE_ID[-6:])
    trainee.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    trainee.get_by_label("确认新密码").fill(NEW_PASSWORD)
    snap(trainee, "password_change")
    trainee.get_by_role("button", name="修改密码").click()
    expect(trainee).to_have_url(at("/hours"))  # 学习首页
    expect(trainee.locator(".flash-success")).to_contain_text("密码已修改")

    # Enrol with unit 1 (报名信息).
    trainee.get_by_role("link", name="报名信息", exact=True).click()
    expect(trainee).to_have_url(at(r"/enrollment(\?.*)?"))
    trainee.get_by_label("单位名称").select_option(label=UNIT_1)
    trainee.get_by_role("radio", name="国有企业", exact=True).check()
    trainee.get_by_label("政治面貌").select_option(label="群众")
    trainee.get_by_label("最高学历").select_option(label="大学本科")
    trainee.get_by_role("radio", name="工程师", exact=True).check()
    trainee.get_by_label("取得时间").fill("2018-06-30")
    trainee.get_by_label("现从事专业").fill("公路工程")
    snap(trainee, "enrollment_form")
    trainee.get_by_role("button", name="确认报名").click()
    expect(trainee.locator(".flash-success")).to_contain_text("报名信息已提交")
    expect(badge(trainee)).to_have_text("等待单位审核")

    # The unit reviewer approves the enrolment from the inbox.
    unit = new_page()
    login(unit, "unit_reviewer")
    expect(unit).to_have_url(at(r"/inbox(\?.*)?"))
    open_task(unit, TRAINEE_NAME)
    expect(unit.get_by_role("heading", level=2, name=re.compile("报名"))).to_be_visible()
    decide(unit, "通过")
    trainee.reload()
    expect(badge(trainee)).to_have_text(re.compile("通过"))

    # The trainee files a claim: attending a seminar (参加高研班).
    trainee.goto("/me")
    expect(trainee.locator(".flash-warning, .flash-info")).to_have_count(0)  # enrolled: no reminder
    trainee.get_by_role("link", name="新建登记").first.click()
    expect(trainee).to_have_url(at("/claims/new"))
    level = trainee.get_by_label("高研班级别")
    expect(level).to_be_hidden()
    trainee.get_by_label("登记类别").select_option(label="参加高研班")
    expect(level).to_be_visible()
    hint = trainee.locator("[data-suggestion]")
    expect(hint).to_contain_text("按规则建议登记 36.0 学时")  # national, the first level
    level.select_option("city")
    expect(hint).to_contain_text("按规则建议登记 24.0 学时")
    expect(hint).to_contain_text("剩余可登记 36.0 学时")
    trainee.get_by_label("材料标题").fill("【市级】参加演示市交通运输类高研班")
    trainee.get_by_label("申请学时").fill("24")
    snap(trainee, "claim_form")
    trainee.get_by_role("button", name="保存信息").click()
    expect(trainee).to_have_url(at(r"/claims/\d+\?saved=1"))
    claim_id = int(re.search(r"/claims/(\d+)", trainee.url).group(1))
    expect(trainee.locator(".flash-success")).to_contain_text("已保存")

    # A proof, uploaded through the XHR widget; it joins the list in place.
    trainee.get_by_label("选择文件，或将文件拖到此处").set_input_files(
        files=[{"name": "开班通知.pdf", "mimeType": "application/pdf", "buffer": pdf()}])
    trainee.get_by_label("附件说明").fill("开班通知")
    trainee.get_by_role("button", name="上传", exact=True).click()
    proofs = trainee.locator("[data-file-list]")
    expect(proofs.get_by_role("link", name="开班通知")).to_be_visible()
    expect(proofs).to_contain_text("开班通知.pdf")
    snap(trainee, "claim_with_proof")

    # Submit (confirm), withdraw (confirm), submit again.
    trainee.get_by_role("button", name="保存并提交审核").click()
    expect(badge(trainee)).to_have_text("等待单位审核")
    trainee.get_by_role("button", name="撤回申请").click()
    expect(badge(trainee)).to_have_text("未提交")
    trainee.get_by_role("button", name="保存并提交审核").click()
    expect(badge(trainee)).to_have_text("等待单位审核")

    # Unit review: the inbox lists the claim; the task shows the proof inline and the flow log.
    unit.goto("/inbox")
    row = unit.locator("tbody tr", has_text=TRAINEE_NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("参加高研班")
    snap(unit, "inbox")
    open_task(unit, TRAINEE_NAME)
    preview = unit.locator("#main iframe.proof-preview, #main object, #main .proof-preview img")
    expect(preview).to_have_count(1)
    src = preview.get_attribute("src")
    proof = unit.request.get(src)
    assert proof.status == 200 and proof.headers["content-type"] == "application/pdf"
    log = unit.locator("table.log-table")
    expect(log).to_contain_text("撤回申请")
    expect(log).to_contain_text(TRAINEE_NAME)
    expect(unit.locator("#step-hours")).to_have_value("24.0")
    snap(unit, "task")
    decide(unit, "通过")

    # The authority sends it back with a comment.
    authority = new_page()
    login(authority, "authority_reviewer")
    open_task(authority, TRAINEE_NAME)
    decide(authority, "退回修改", comment="请在标题中写明高研班的举办单位。")

    # The trainee sees why, changes the title and submits again.
    trainee.goto(f"/claims/{claim_id}")
    expect(badge(trainee)).to_have_text("退回修改")
    expect(trainee.locator(".flash-warning")).to_contain_text("请在标题中写明高研班的举办单位。")
    trainee.get_by_label("材料标题").fill("【市级】参加演示市交通运输局举办的交通运输类高研班")
    trainee.get_by_role("button", name="保存并提交审核").click()
    expect(badge(trainee)).to_have_text("等待单位审核")

    # The unit approves again; the authority registers 20 hours.
    open_task(unit, TRAINEE_NAME)
    expect(unit.locator("#step-hours")).to_have_value("24.0")
    decide(unit, "通过")
    open_task(authority, TRAINEE_NAME)
    expect(authority.get_by_label("登记学时")).to_have_value("24.0")
    decide(authority, "通过", hours="20")

    # The trainee's page counts the 20 hours.
    trainee.goto("/me")
    claim_row = trainee.locator("tbody tr", has_text="举办的交通运输类高研班")
    expect(claim_row.locator(".badge")).to_have_text("主管部门审核通过")
    expect(claim_row).to_contain_text("登记 20.0")
    expect(trainee.locator(".stat", has_text="专业科目").locator(".value")).to_have_text("20.0")
    expect(trainee.locator(".stat", has_text="学时合计").locator(".value")).to_have_text("20.0")
    snap(trainee, "trainee_home")

    # Where it went: from the claim page to the process page with the bpmn-js diagram,
    # passed steps marked done.
    final = _claim_as_authority(api, claim_id)
    assert final["status"] == "approved" and final["hours_registered"] == 20.0
    trainee.goto(f"/claims/{claim_id}")
    trainee.get_by_role("link", name="查看流程进度").click()
    expect(trainee).to_have_url(at(f"/processes/{final['instance_id']}"))
    diagram = trainee.locator("#process-diagram")
    expect(diagram.locator("svg").first).to_be_visible()
    expect(diagram.locator(".done").first).to_be_attached()
    expect(trainee.locator("[data-diagram-tools]")).to_be_visible()
    snap(trainee, "process", reload_until="#process-diagram .done")  # bpmn-js fits the diagram to its box once, on load

    assert not snap.too_wide, "wider than a 390px phone:\n" + "\n".join(snap.too_wide)


def test_claim_pages_link_to_the_process(api: ApiClient, new_page: NewPage, login: Login) -> None:
    draft = api.new_claim(T1)
    submitted = api.submitted_claim(T2)
    for trainee, claim in ((T1, draft), (T2, submitted)):  # the editable form, the read-only page
        page = new_page()
        login(page, trainee)
        page.goto(f"/claims/{claim['id']}")
        link = page.get_by_role("link", name="查看流程进度")
        expect(link).to_be_visible(timeout=2000)  # rendered by the server: there at once, or never
        link.click()
        expect(page).to_have_url(at(f"/processes/{claim['instance_id']}"))
        expect(page.locator("#process-diagram svg").first).to_be_visible()


def _claim_as_authority(api: ApiClient, claim_id: int) -> dict[str, Any]:
    response = api.as_("authority_reviewer").get(f"/claims/{claim_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# -- 2. batch approval -------------------------------------------------------------------

def test_batch_approval_of_twenty_claims(api: ApiClient, new_page: NewPage, login: Login, shot: Shot) -> None:
    # 10 claims each for T1 and T2 (unit 1): 0.5 h of training apiece, far below the 36 h route cap.
    claim_ids = [api.submitted_claim(trainee, route="training", details={"days": 1}, hours_requested=0.5,
                                     title=f"【市级】安全生产培训 第{n + 1}期")["id"]
                 for n, trainee in enumerate([T1, T2] * 10)]

    unit = new_page()
    login(unit, "unit_reviewer")
    unit.goto("/inbox")
    boxes = unit.locator("input[data-task-checkbox]")
    expect(boxes).to_have_count(20)  # 20 per page: all of them on the first
    expect(unit.locator("table caption")).to_contain_text("20")
    select_all = unit.get_by_label("全选本页任务")
    select_all.check()
    for i in range(20):
        expect(boxes.nth(i)).to_be_checked()
    unit.get_by_role("button", name="批量通过").click()
    # a page to confirm: the twenty records, nothing decided yet
    expect(unit.locator("tbody tr")).to_have_count(20)
    expect(unit.locator("tbody")).to_contain_text("安全生产培训 第20期")
    assert _claim_as_authority(api, claim_ids[0])["status"] == "unit_review"
    shot(unit, "batch_confirm")
    unit.get_by_role("button", name="确认通过").click()

    results = unit.locator("section[aria-labelledby=batch-results]")
    expect(results.get_by_role("status")).to_contain_text("成功 20 条，失败 0 条")
    expect(results.locator("tbody tr")).to_have_count(20)
    expect(results.locator("tbody .badge", has_text="成功")).to_have_count(20)
    shot(unit, "batch_result")
    expect(unit.locator("input[data-task-checkbox]")).to_have_count(0)

    for claim_id in claim_ids:
        assert _claim_as_authority(api, claim_id)["status"] == "authority_review"


# -- 3. keyboard and accessible names --------------------------------------------------------

def _focused(page: Page) -> dict[str, Any]:
    return page.evaluate("""() => {
        const el = document.activeElement;
        return {tag: el.tagName.toLowerCase(), type: el.type || '', value: el.value || '',
                name: el.getAttribute('name') || '', text: (el.textContent || '').trim(),
                label: el.getAttribute('aria-label') || ''};
    }""")


def _tab_to(page: Page, wanted: Callable[[dict[str, Any]], bool], key: str = "Tab", limit: int = 80) -> dict[str, Any]:
    for _ in range(limit):
        page.keyboard.press(key)
        focused = _focused(page)
        if wanted(focused):
            return focused
    raise AssertionError(f"{key} never reached the wanted element; last focus: {focused}")


def test_keyboard_only_batch_approval(api: ApiClient, new_page: NewPage, login: Login) -> None:
    claims = [api.submitted_claim(trainee, route="training", details={"days": 1}, hours_requested=1,
                                  title="【市级】安全生产培训")["id"] for trainee in (T1, T2, T1)]
    unit = new_page()
    login(unit, "unit_reviewer")
    unit.goto("/inbox")
    expect(unit.locator("input[data-task-checkbox]")).to_have_count(3)

    # Tab to the first task's checkbox (oldest first: the first claim), tick it with Space.
    focused = _tab_to(unit, lambda f: f["name"] == "task_ids")
    assert "张伟" in focused["label"], focused
    unit.keyboard.press("Space")
    expect(unit.locator("input[data-task-checkbox]").first).to_be_checked()
    expect(unit.locator("input[data-task-checkbox]:checked")).to_have_count(1)
    # Back (Shift+Tab) to the batch approve button, press Enter.
    _tab_to(unit, lambda f: f["tag"] == "button" and f["value"] == "approve", key="Shift+Tab")
    unit.keyboard.press("Enter")
    # the confirmation page: Tab to its confirm button, press Enter
    expect(unit.locator("tbody tr")).to_have_count(1)
    _tab_to(unit, lambda f: f["tag"] == "button" and f["name"] == "confirmed")
    unit.keyboard.press("Enter")
    expect(unit.locator("section[aria-labelledby=batch-results] [role=status]")).to_contain_text("成功 1 条")

    assert _claim_as_authority(api, claims[0])["status"] == "authority_review"
    assert [_claim_as_authority(api, c)["status"] for c in claims[1:]] == ["unit_review", "unit_review"]
    expect(unit.locator("input[data-task-checkbox]")).to_have_count(2)


UNNAMED_FIELDS = """() => {
    const visible = el => {
        if (el.type === 'hidden' || el.closest('[hidden]')) return false;
        const style = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        return style.display !== 'none' && style.visibility !== 'hidden' && (box.width > 0 || box.height > 0);
    };
    const text = el => (el ? el.textContent : '').replace(/\\s+/g, ' ').trim();
    const missing = [];
    let checked = 0;
    for (const el of document.querySelectorAll('input, select, textarea')) {
        if (!visible(el)) continue;
        checked += 1;
        let name = (el.getAttribute('aria-label') || '').trim();
        if (!name && el.getAttribute('aria-labelledby'))
            name = el.getAttribute('aria-labelledby').split(/\\s+/)
                .map(id => text(document.getElementById(id))).join(' ').trim();
        if (!name && el.labels) name = Array.from(el.labels).map(text).join(' ').trim();
        if (!name) missing.push(el.outerHTML.slice(0, 160));
    }
    return {checked, missing};
}"""


def test_every_visible_field_has_an_accessible_name(
        app: Flask, api: ApiClient, new_page: NewPage, login: Login) -> None:
    claim = api.submitted_claim(T1)
    other = resident_id("11010820000101001")
    make_trainee(app, other, name="钱多")
    problems: dict[str, dict[str, Any]] = {}

    anonymous = new_page()
    anonymous.goto("/login")
    problems["/login"] = anonymous.evaluate(UNNAMED_FIELDS)

    trainee = new_page()
    login(trainee, T1)
    trainee.goto("/claims/new")
    for route in ("exam", "seminar", "training", "research", "paper", "degree_course"):
        trainee.get_by_label("登记类别").select_option(route)
        problems[f"/claims/new ({route})"] = trainee.evaluate(UNNAMED_FIELDS)
    # An editable claim: the form plus the upload widget.
    draft = api.new_claim(T1)
    trainee.goto(f"/claims/{draft['id']}")
    expect(trainee.locator("#proof-file")).to_be_visible()
    problems[f"/claims/{draft['id']}"] = trainee.evaluate(UNNAMED_FIELDS)

    newcomer = new_page()
    login(newcomer, other)
    newcomer.goto("/enrollment")
    expect(newcomer.get_by_role("button", name="确认报名")).to_be_visible()
    problems["/enrollment"] = newcomer.evaluate(UNNAMED_FIELDS)

    unit = new_page()
    login(unit, "unit_reviewer")
    unit.goto("/inbox")
    problems["/inbox"] = unit.evaluate(UNNAMED_FIELDS)
    task = api.task_for("unit_reviewer", claim["id"])
    unit.goto(f"/tasks/{task['id']}")
    expect(unit.get_by_role("button", name="提交审核")).to_be_visible()
    problems[f"/tasks/{task['id']}"] = unit.evaluate(UNNAMED_FIELDS)

    assert all(found["checked"] for found in problems.values()), problems
    missing = {page: found["missing"] for page, found in problems.items() if found["missing"]}
    assert not missing, missing


# -- 4. the idle session ---------------------------------------------------------------------
# app.js warns for the last min(300, idle / 2) seconds and goes to /login at the deadline, checking
# once a second; the server ends a session whose last request is older than the idle period. Six
# seconds leave the warning three seconds: enough to click, short enough to keep the tests quick.

IDLE_SECONDS = 6
ENDED = "登录已失效"  # the flash of an idle session's end


QUICK_IDLE_SECONDS = 3  # for tests that only need the session to end


@pytest.fixture
def short_idle(app: Flask, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setitem(app.config["AUTH"], "SESSION_IDLE_SECONDS", IDLE_SECONDS)
    return IDLE_SECONDS


@pytest.fixture
def quick_idle(app: Flask, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setitem(app.config["AUTH"], "SESSION_IDLE_SECONDS", QUICK_IDLE_SECONDS)
    return QUICK_IDLE_SECONDS


def _idle_out(page: Page, idle: int) -> None:
    """Wait, doing nothing, until the page's timer sends it to the login page."""
    expect(page).to_have_url(at(r"/login(\?.*)?"), timeout=(idle + 4) * 1000)


def _until_ended_on_the_server(page: Page, idle: int) -> None:
    """Reload the login page until the server has ended the session too (a GET of /login is not activity).

    The page's timer runs from the page load; the server's from the last request, and the claim
    form's suggestion request (/claims/suggest) comes a little after the load, so the page may reach
    the login page a moment before the server ends the session. A person coming back later would
    find it ended.
    """
    ended = page.locator(".flash-warning", has_text=ENDED)
    deadline = time.monotonic() + idle
    while not ended.count():
        assert time.monotonic() < deadline, "the server never ended the idle session"
        page.wait_for_timeout(250)
        page.reload()


def test_idle_warning_and_continue_keep_the_session(short_idle: int, world: World, new_page: NewPage,
                                                    login: Login, shot: Shot) -> None:
    trainee = new_page()
    login(trainee, T1)
    trainee.goto("/me")
    loaded = time.monotonic()
    assert trainee.locator("body").get_attribute("data-idle-seconds") == str(short_idle)
    warning = trainee.locator(".session-warning")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=(short_idle + 2) * 1000)
    expect(warning).to_have_attribute("role", "alertdialog")
    expect(warning.locator("[data-countdown]")).to_have_text(re.compile(r"^0:0[0-3]$"))
    shot(trainee, "session_warning")
    warning.get_by_role("button", name="继续操作").click()
    expect(warning).to_be_hidden()

    # Past the first deadline (and the script's one-second tick) the page is still here (the new
    # period's warning may show already) ...
    trainee.wait_for_timeout(max(0.0, loaded + short_idle + 1.0 - time.monotonic()) * 1000)
    expect(trainee).to_have_url(at("/me"))
    # ... and the server still knows the session.
    trainee.get_by_role("link", name="新建登记").first.click()
    expect(trainee).to_have_url(at("/claims/new"))
    expect(trainee.get_by_label("材料标题")).to_be_visible()


def test_idle_session_ends_and_the_typed_text_survives(short_idle: int, world: World, new_page: NewPage,
                                                       login: Login, shot: Shot) -> None:
    trainee = new_page()
    login(trainee, T1)
    trainee.goto("/claims/new")
    typed = "【省级】没来得及保存的标题"
    trainee.get_by_label("材料标题").fill(typed)

    # No activity: the page goes to the login page at the deadline, and the session ends.
    _idle_out(trainee, short_idle)
    _until_ended_on_the_server(trainee, short_idle)
    shot(trainee, "session_ended")

    # Log in again and open the form: the browser kept the typed title.
    login(trainee, T1)
    trainee.goto("/claims/new")
    notice = trainee.locator(".flash-info", has_text="本浏览器保存了您尚未保存的修改")
    expect(notice).to_be_visible()
    expect(trainee.get_by_label("材料标题")).to_have_value("")
    notice.get_by_role("button", name="恢复").click()
    expect(trainee.get_by_label("材料标题")).to_have_value(typed)
    expect(notice).to_have_count(0)


@pytest.mark.parametrize("path", ["/me", "/claims/new"])
def test_one_login_after_the_idle_end_leads_back_to_the_page(
        path: str, quick_idle: int, world: World, new_page: NewPage, login: Login) -> None:
    trainee = new_page()
    login(trainee, T1)
    trainee.goto(path)
    _idle_out(trainee, quick_idle)
    trainee.wait_for_timeout(1500)  # the person comes back a little later
    login(trainee, T1)
    expect(trainee).to_have_url(at(re.escape(path)), timeout=2000)


def test_idle_message_names_the_configured_period(quick_idle: int, world: World, new_page: NewPage,
                                                  login: Login) -> None:
    trainee = new_page()
    login(trainee, T1)
    trainee.goto("/me")
    _idle_out(trainee, quick_idle)
    message = trainee.locator(".flash-warning", has_text=ENDED)
    expect(message).to_be_visible()
    assert "30 分钟" not in message.inner_text()


# -- the autosaved draft of a new claim ----------------------------------------------------

def test_a_saved_new_claim_leaves_no_draft_to_restore(world: World, new_page: NewPage, login: Login) -> None:
    trainee = new_page()
    login(trainee, T1)
    trainee.goto("/claims/new")
    trainee.get_by_label("材料标题").fill("【省级】资格证书考试")
    trainee.get_by_label("合格科目数").fill("1")
    trainee.get_by_label("申请学时").fill("8")
    trainee.get_by_role("button", name="保存信息").click()
    expect(trainee).to_have_url(at(r"/claims/\d+\?saved=1"))
    trainee.goto("/claims/new", wait_until="load")  # app.js (deferred) has run by the load event
    expect(trainee.get_by_label("材料标题")).to_have_value("")
    assert trainee.locator(".flash-info", has_text="本浏览器保存了您尚未保存的修改").count() == 0


def test_uploading_a_proof_keeps_what_is_typed_and_says_a_refusal_once(api: ApiClient, new_page: NewPage,
                                                                        login: Login) -> None:
    claim = api.new_claim(T1)
    trainee = new_page()
    login(trainee, T1)
    trainee.goto(f"/claims/{claim['id']}")
    title = trainee.get_by_label("材料标题")
    title.fill("【省级】尚未保存的新标题")  # typed, not saved
    chooser = trainee.get_by_label("选择文件，或将文件拖到此处")
    chooser.set_input_files(files=[{"name": "通知.pdf", "mimeType": "application/pdf", "buffer": b"<html>not a pdf"}])
    trainee.get_by_label("附件说明").fill("开班通知")
    trainee.get_by_role("button", name="上传", exact=True).click()
    status = trainee.locator("[data-upload-status]")
    expect(status).not_to_be_empty()
    message = status.inner_text()
    assert message and trainee.locator("#main").inner_text().count(message) == 1, message
    expect(trainee.locator("[data-file-list] li a")).to_have_count(0)
    chooser.set_input_files(files=[{"name": "通知.pdf", "mimeType": "application/pdf", "buffer": pdf()}])
    trainee.get_by_label("附件说明").fill("开班通知")
    trainee.get_by_role("button", name="上传", exact=True).click()
    expect(trainee.locator("[data-file-list] li a")).to_have_count(1)
    expect(status).to_be_empty()
    expect(title).to_have_value("【省级】尚未保存的新标题")  # the upload did not reload the page


# -- 4. the organisation processes: a staff transfer, a parent change two authorities approve ----

def _decide_task(page: Page, decision: str, comment: str | None = None) -> None:
    page.get_by_role("radio", name=decision, exact=True).check()
    if comment is not None:
        page.get_by_label("审核意见").fill(comment)
    page.get_by_role("button", name="提交审核", exact=True).click()


def test_transfer_and_parent_change_through_the_pages(world: World, new_page: NewPage, login: Login,
                                                      shot: Shot) -> None:
    snap = Snapper(shot)
    # 养护公司 files a transfer-out of 王强 to 工程公司, with a letter attached.
    old_unit = accept_dialogs(new_page())
    login(old_unit, "unit_reviewer_b")
    old_unit.get_by_role("link", name="人员调出").click()
    expect(old_unit).to_have_url(at("/transfers/out"))
    person = old_unit.get_by_label("选择转出人员")
    person.select_option(value=person.locator("option", has_text="王强").get_attribute("value"))
    old_unit.get_by_label("选择调入单位").select_option(label=UNIT_1)
    old_unit.get_by_label("调转原因").fill("工作调动，到工程公司任技术负责人")
    old_unit.get_by_label("本单位联系人").fill("王经理")
    old_unit.get_by_label("本单位联系电话").fill("0571-88888888")
    old_unit.get_by_label("附件（选填）").set_input_files(files=[{"name": "调函.pdf", "mimeType": "application/pdf",
                                                                   "buffer": pdf()}])
    snap(old_unit, "transfer_out_form")
    old_unit.get_by_role("button", name="提交转出申请").click()
    expect(badge(old_unit)).to_have_text("待转入")
    expect(old_unit.locator("#main")).to_contain_text("调函.pdf")
    snap(old_unit, "transfer_detail")

    # 工程公司 sees it under 人员调入; refusing needs a reason; it accepts.
    new_unit = new_page()
    login(new_unit, "unit_reviewer")
    new_unit.get_by_role("link", name="人员调入").click()
    row = new_unit.locator("tbody tr", has_text="王强")
    expect(row).to_contain_text("演示公路养护有限公司")
    snap(new_unit, "transfers_in")
    row.get_by_role("link", name=re.compile("确认调转")).click()
    expect(new_unit).to_have_url(at(r"/tasks/\d+(\?.*)?"))
    expect(new_unit.locator("#main")).to_contain_text("调函.pdf")
    snap(new_unit, "transfer_task")
    _decide_task(new_unit, "拒绝转入")
    expect(new_unit.locator("#comment-error")).to_be_visible()
    _decide_task(new_unit, "同意转入", comment="欢迎加入")
    expect(new_unit.locator(".flash-success")).to_contain_text("王强")
    new_unit.goto("/transfers/records")
    expect(new_unit.locator("tbody tr", has_text="王强").locator(".badge")).to_have_text("同意转入")
    old_unit.goto("/transfers/records")
    expect(old_unit.locator("tbody tr", has_text="王强").locator(".badge")).to_have_text("同意转入")
    snap(old_unit, "transfer_records")

    # 养护公司 asks to move under 演示市建设局: the old and the new parent each review.
    old_unit.get_by_role("link", name="更换上级部门").click()
    old_unit.get_by_label("新上级部门").select_option(label="演示市建设局")
    old_unit.get_by_label("原因").fill("业务划归建设局管理")
    snap(old_unit, "parent_change_form")
    old_unit.get_by_role("button", name="提交申请").click()
    expect(badge(old_unit)).to_have_text("等待原上级审核 / 等待新上级审核")
    snap(old_unit, "parent_change_detail")
    for reviewer, waiting in (("authority_reviewer", "等待新上级审核"), ("authority_reviewer_b", "审核通过")):
        authority = new_page()
        login(authority, reviewer)
        authority.get_by_role("link", name="审核机构信息修改").click()
        request_row = authority.locator("tbody tr", has_text="演示公路养护有限公司")
        request_row.get_by_role("link", name=re.compile("审核")).click()
        expect(authority).to_have_url(at(r"/tasks/\d+(\?.*)?"))
        expect(authority.locator("#main")).to_contain_text("业务划归建设局管理")
        snap(authority, f"parent_change_task_{reviewer}")
        _decide_task(authority, "通过")
        expect(authority.locator(".flash-success")).to_be_visible()
        old_unit.reload()
        expect(badge(old_unit)).to_have_text(waiting)

    assert not snap.too_wide, "wider than a 390px phone:\n" + "\n".join(snap.too_wide)


# -- 6. a provider's pre-training filing --------------------------------------------------------

FILING_CLASS = "浏览器测试培训班"
PROVIDER = "演示交通职业培训学院"


def _fill_filing(page: Page) -> None:
    """Every field of the filing form (the rows: one each, and a second course added)."""
    from datetime import timedelta

    from app.clock import today

    starts = today() + timedelta(days=30)
    values = {"location": "演示市", "class_name": FILING_CLASS, "starts_on": starts.isoformat(),
              "ends_on": (starts + timedelta(days=2)).isoformat(), "venue": "演示市交通路1号", "total_hours": "24",
              "fee": "每人800元", "office_phone": "0571-88001234", "fax": "0571-88001235", "email": "t@example.cn",
              "address": "演示市交通路1号", "post_code": "310000", "head_name": "赵院长", "head_title": "院长",
              "head_mobile": "13900000001", "contact_name": "钱老师", "contact_title": "科长",
              "contact_mobile": "13900000002", "scope-0-series": "工程系列", "scope-0-specialty": "公路工程",
              "courses-0-content": "公路工程新规范解读", "courses-0-hours": "12", "teachers-0-name": "陈教授",
              "teachers-0-education": "博士研究生", "teachers-0-major": "道路工程", "teachers-0-title": "教授",
              "teachers-0-course": "规范解读", "textbooks-0-name": "公路工程技术标准", "textbooks-0-edition": "2024版"}
    for name, value in values.items():
        page.locator(f'[name="{name}"]').fill(value)
    page.locator('[name="form"]').select_option("面授培训")
    page.locator('[name="scope-0-level"]').select_option("工程师")
    page.locator('button[name="add"][value="courses"]').click()  # 添加: one more row, what was typed kept
    expect(page.locator('[name="courses-0-content"]')).to_have_value("公路工程新规范解读")
    page.locator('[name="courses-1-content"]').fill("路面养护新技术")
    page.locator('[name="courses-1-hours"]').fill("12")


def _attach(page: Page, kind: str, name: str) -> None:
    page.get_by_label("附件类型").select_option(kind)
    page.get_by_label("文件", exact=True).set_input_files(files=[{"name": name, "mimeType": "application/pdf",
                                                                "buffer": pdf()}])
    with page.expect_navigation():
        page.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("附件已上传")
    expect(page.locator(".proof figcaption", has_text=name).first).to_be_visible()


def _review_filing(page: Page, decision: str, comment: str | None = None) -> None:
    page.goto("/inbox")
    page.get_by_role("link", name=re.compile(rf"^办理 {PROVIDER} · {FILING_CLASS}$")).click()
    expect(page).to_have_url(at(r"/tasks/\d+(\?.*)?"))
    expect(page.locator("#main")).to_contain_text("公路工程新规范解读")
    _decide_task(page, decision, comment)
    expect(page.locator(".flash-success")).to_be_visible()


def test_a_pre_training_filing_from_draft_to_filed_with_one_rollback(world: World, new_page: NewPage, login: Login,
                                                                     shot: Shot) -> None:
    snap = Snapper(shot)
    provider = accept_dialogs(new_page())
    login(provider, "provider_admin")
    provider.get_by_role("link", name="培训前备案").click()
    expect(provider).to_have_url(at("/filings"))
    provider.get_by_role("link", name="新增备案").click()
    provider.locator('[name="class_name"]').fill(FILING_CLASS)
    provider.get_by_role("button", name="临时保存").click()
    expect(badge(provider)).to_have_text("未提交")
    expect(provider.locator("#main")).to_contain_text("当前为临时保存")
    provider.get_by_role("link", name="修改", exact=True).click()
    _fill_filing(provider)
    snap(provider, "filing_form")
    with provider.expect_navigation():
        provider.get_by_role("button", name="保存", exact=True).click()
    expect(provider.locator(".flash-success")).to_contain_text("备案信息已保存")
    for kind, name in (("plan", "继续教育培训实施方案.pdf"), ("notice", "继续教育培训工作通知.pdf"),
                       ("invitation", "继续教育培训开班邀请函.pdf")):
        _attach(provider, kind, name)
    with provider.expect_navigation():
        provider.get_by_role("button", name="提交", exact=True).click()
    expect(badge(provider)).to_have_text("待主管单位审核")
    expect(provider.get_by_role("link", name="修改", exact=True)).to_have_count(0)  # read-only now
    snap(provider, "filing_submitted")
    filing_url = provider.url

    supervisor = new_page()
    login(supervisor, "supervisor_reviewer")
    _review_filing(supervisor, "回退", "请补充开班地点的楼层")
    provider.goto(filing_url)
    expect(badge(provider)).to_have_text("已回退")
    expect(provider.locator("#main")).to_contain_text("请补充开班地点的楼层")
    provider.get_by_role("link", name="修改", exact=True).click()
    provider.locator('[name="venue"]').fill("演示市交通路1号 培训楼301")
    with provider.expect_navigation():
        provider.get_by_role("button", name="保存", exact=True).click()
    expect(provider.locator(".flash-success")).to_contain_text("备案信息已保存")
    expect(provider.locator("#main")).to_contain_text("培训楼301")
    # the page's attachments are still loading: under load (two CI workers) a click then raised its
    # confirm() while Chromium dropped it ("no dialog is showing") and nothing was submitted
    provider.wait_for_load_state("networkidle")
    with provider.expect_navigation():
        provider.get_by_role("button", name="提交", exact=True).click()
    expect(badge(provider)).to_have_text("待主管单位审核")

    _review_filing(supervisor, "通过")
    provider.goto(filing_url)
    expect(badge(provider)).to_have_text("待上传盖章申报表")
    form_pdf = provider.request.get(provider.get_by_role("link", name="下载申报表").first.get_attribute("href"))
    assert form_pdf.status == 200 and form_pdf.body().startswith(b"%PDF")
    _attach(provider, "stamped_form", "盖章申报表.pdf")
    with provider.expect_navigation():
        provider.get_by_role("button", name="提交盖章申报表").click()
    expect(badge(provider)).to_have_text("待主管单位报送")
    _review_filing(supervisor, "报送人社部门")

    hr = new_page()
    login(hr, "hr_reviewer")
    _review_filing(hr, "通过")
    provider.goto(filing_url)
    expect(badge(provider)).to_have_text("备案通过")
    log = provider.locator("table.log-table")
    expect(log).to_contain_text("请补充开班地点的楼层")
    expect(log).to_contain_text("人社部门审核")
    snap(provider, "filing_filed")
    provider.goto("/filings")
    expect(provider.locator("tbody tr", has_text=FILING_CLASS).locator(".badge")).to_have_text("备案通过")
    assert not snap.too_wide, "wider than a 390px phone:\n" + "\n".join(snap.too_wide)


def test_a_class_opened_and_a_trainee_enrolled_and_approved(api: ApiClient, world: World, new_page: NewPage,
                                                             login: Login, shot: Shot) -> None:
    from datetime import timedelta

    from app.clock import today
    from tests.integration.test_provider_classes import _filed

    snap = Snapper(shot)
    filing = _filed(api)  # a filed pre-training filing (测试培训班) with no class yet
    now = today()
    provider = accept_dialogs(new_page())
    login(provider, "provider_admin")
    provider.get_by_role("link", name="培训信息管理").click()
    expect(provider).to_have_url(at("/classes"))
    provider.get_by_label("培训前备案").select_option(str(filing["id"]))
    provider.get_by_role("button", name="新增培训信息").click()
    provider.get_by_label("工程系列 · 公路工程 · 工程师").check()
    provider.get_by_label("报名开始时间").fill(now.isoformat())
    provider.get_by_label("报名结束时间").fill((now + timedelta(days=5)).isoformat())
    provider.get_by_label("退回再次提交截止时间").fill((now + timedelta(days=8)).isoformat())
    provider.get_by_label("限制报名人数（0为不限制）").fill("2")
    provider.get_by_label("报到地点").fill("培训楼一层大厅")
    provider.get_by_label("上课地点").fill("培训楼301")
    provider.get_by_label("联系人").fill("钱老师")
    provider.get_by_label("联系电话（可写多个）").fill("13900000002")
    snap(provider, "class_form")
    with provider.expect_navigation():
        provider.get_by_role("button", name="确定", exact=True).click()
    expect(badge(provider)).to_have_text("未提交")
    with provider.expect_navigation():
        provider.get_by_role("button", name="提交审核", exact=True).click()
    expect(badge(provider)).to_have_text("待人社部门审核")

    hr = new_page()
    login(hr, "hr_reviewer")
    hr.goto("/inbox")
    hr.get_by_role("link", name=re.compile(rf"^办理 {PROVIDER} · 测试培训班$")).click()
    expect(hr.locator("#main")).to_contain_text("培训楼一层大厅")
    _decide_task(hr, "通过")
    expect(hr.locator(".flash-success")).to_be_visible()

    provider.goto("/classes")
    row = provider.locator("tbody tr", has_text="测试培训班")
    expect(row.locator(".badge")).to_have_text("待开启")
    with provider.expect_navigation():
        row.get_by_role("button", name=re.compile("^开启")).click()
    expect(provider.locator(".flash-success")).to_contain_text("培训班已开启")
    expect(provider.locator("tbody tr", has_text="测试培训班").locator(".badge")).to_have_text("已开启")
    snap(provider, "classes")

    trainee = new_page()
    login(trainee, T1)
    trainee.get_by_role("link", name="学员报名").click()
    trainee.get_by_label("报名专业", exact=True).select_option("林业专业")
    trainee.get_by_role("button", name="查询").click()
    expect(trainee.locator("#main")).to_contain_text("根据您的选择的报名专业，暂未找到开始报名的继续教育基地")
    trainee.get_by_label("报名专业", exact=True).select_option("公路工程")
    trainee.get_by_label("级别", exact=True).select_option("工程师")
    trainee.get_by_role("button", name="查询").click()
    found = trainee.locator("tbody tr", has_text="测试培训班")
    expect(found).to_contain_text(PROVIDER)
    found.get_by_role("link", name=re.compile("^报名")).click()
    expect(trainee.get_by_label("手机号码")).to_have_value("13800000014")
    snap(trainee, "enrolment_form")
    with trainee.expect_navigation():
        trainee.get_by_role("button", name="保存信息").click()
    expect(badge(trainee)).to_have_text("未提交")
    with trainee.expect_navigation():
        trainee.get_by_role("button", name="提交", exact=True).click()
    expect(badge(trainee)).to_have_text("待基地审核")
    enrolment_url = trainee.url

    provider.get_by_role("link", name="学员报名审核").click()
    provider.locator("tbody tr", has_text="测试培训班").get_by_role("link", name=re.compile("^审核")).click()
    expect(provider.locator("#main")).to_contain_text("张伟")
    _decide_task(provider, "通过")
    expect(provider.locator(".flash-success")).to_be_visible()

    trainee.goto(enrolment_url)
    expect(badge(trainee)).to_have_text("审核通过")
    snap(trainee, "enrolment_approved")
    assert not snap.too_wide, "wider than a 390px phone:\n" + "\n".join(snap.too_wide)


def test_a_post_training_filing_with_an_imported_file_and_the_certificate_verified(
        api: ApiClient, world: World, new_page: NewPage, login: Login, shot: Shot, tmp_path: Any) -> None:
    from tests.support.files import png
    from tests.support.xlsx import workbook

    snap = Snapper(shot)
    ended = "2026年度公路工程专业技术人员继续教育培训班"
    provider = accept_dialogs(new_page())
    login(provider, "provider_admin")
    provider.get_by_role("link", name="培训后备案").click()
    row = provider.locator("tbody tr", has_text=ended)
    row.get_by_role("link", name=re.compile("^新增备案")).click()
    with provider.expect_navigation():
        provider.get_by_role("button", name="下一步").click()
    expect(badge(provider)).to_have_text("未提交")
    provider.get_by_label("实到人数").fill("3")
    provider.get_by_label("培训总结").fill("三名学员参加培训，两名考核合格。")
    with provider.expect_navigation():
        provider.get_by_role("button", name="保存信息").click()
    bad = tmp_path / "成绩-有误.xlsx"
    bad.write_bytes(workbook([(T1, "张三", 90, "是")]))
    provider.get_by_label("成绩文件（.xlsx）").set_input_files(str(bad))
    with provider.expect_navigation():
        provider.get_by_role("button", name="导入", exact=True).click()
    expect(provider.locator("#main")).to_contain_text("文件中的问题（未导入任何数据）")
    expect(provider.locator("#main")).to_contain_text("报名信息中的姓名为 张伟")
    snap(provider, "postfiling_bad_rows")
    good = tmp_path / "成绩.xlsx"
    good.write_bytes(workbook([(T1, "张伟", 92, "是"), (T2, "李娜", 85, "是"),
                               ("330102199204150031", "王强", 40, "否")]))
    provider.get_by_label("成绩文件（.xlsx）").set_input_files(str(good))
    with provider.expect_navigation():
        provider.get_by_role("button", name="导入", exact=True).click()
    expect(provider.locator(".flash-success")).to_contain_text("已导入 3 条成绩，其中合格 2 人")
    summary = tmp_path / "培训总结.png"
    summary.write_bytes(png())
    provider.get_by_label("附件类型").select_option("summary")
    provider.get_by_label("文件", exact=True).set_input_files(str(summary))
    with provider.expect_navigation():
        provider.get_by_role("button", name="上传").click()
    with provider.expect_navigation():
        provider.get_by_role("button", name="提交", exact=True).click()
    expect(badge(provider)).to_have_text("待人社部门审核")
    snap(provider, "postfiling_submitted")

    hr = new_page()
    login(hr, "hr_reviewer")
    hr.goto("/inbox")
    hr.get_by_role("link", name=re.compile(rf"^办理 {PROVIDER} · ")).filter(has_text=ended).first.click()
    expect(hr.locator("#main")).to_contain_text("共 3 名学员，合格 2 人")
    _decide_task(hr, "通过")
    expect(hr.locator(".flash-success")).to_be_visible()

    trainee = new_page()
    login(trainee, T1)
    trainee.get_by_role("link", name="电子证书").click()
    trainee.get_by_role("link", name="专业课电子证书").click()
    certificate = trainee.locator("tbody tr", has_text=ended)
    expect(certificate).to_contain_text("演示交通职业培训学院")
    number = re.search(r"\d{4}ZY\d{12}", certificate.inner_text()).group(0)
    pdf = trainee.request.get(certificate.get_by_role("link", name=re.compile("^下载证书")).get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    snap(trainee, "certificates")

    public = new_page()  # nobody logged in: what the QR code opens
    public.goto(f"/verify/{number}")
    expect(public.locator("#main")).to_contain_text("真实有效")
    expect(public.locator("#main")).to_contain_text("3301061990****0014")
    snap(public, "certificate_verified")
    assert not snap.too_wide, "wider than a 390px phone:\n" + "\n".join(snap.too_wide)
