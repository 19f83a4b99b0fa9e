"""An organisation's life through the pages in a real Chromium: a new unit registers (anonymous), the
city authority approves it, its first administrator becomes the unit's super administrator, adds a
second administrator and imports the staff from the Excel template (a file with one bad row is refused
whole, with an error report); then a trainee changes the name and the unit's reviewer approves it after
reading the old-against-new table."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect

from app.domain.credit_code import check_character
from app.domain.idnumber import check_digit
from tests.support.world import T1, World

NewPage = Callable[[], Page]
Login = Callable[..., None]
Shot = Callable[[Page, str], Any]

UNIT = "演示智慧交通科技有限公司"
AUTHORITY = "演示市交通运输局"
CREDIT_BODY = "91350100M00010"  # + 3 digits + the GB 32100 check character
APPLICANT = "zhihui_admin"
APPLICANT_NAME = "林晓"
APPLICANT_PASSWORD = "Zhihui2024pass"
SECOND = "zhihui_admin2"
SECOND_NAME = "陈静"
PEOPLE = (("11010519900307001", "王芳"), ("11010519900307002", "李强"))


def at(path: str) -> re.Pattern[str]:
    """A page address whose path (and query) is ``path``, a regular expression, in full."""
    return re.compile(r"^https?://[^/]+" + path + "$")


def credit_code(serial: str) -> str:
    first17 = CREDIT_BODY + serial
    return first17 + check_character(first17)


def id_number(first17: str) -> str:
    return first17 + check_digit(first17)


def accept_dialogs(page: Page) -> Page:
    """Accept every confirm(): the person clicked OK."""
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def nav(page: Page, name: str) -> None:
    """Follow a link of the header's navigation, as a person would."""
    page.locator("header").get_by_role("link", name=name, exact=True).first.click()


def decide(page: Page, decision: str) -> None:
    page.get_by_role("radio", name=decision, exact=True).check()
    page.get_by_role("button", name="提交审核", exact=True).click()


def form_of(page: Page, summary: str) -> Locator:
    """The form inside the <details> whose summary reads ``summary`` (opened first)."""
    details = page.locator("details").filter(has=page.locator("summary", has_text=summary))
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details.locator("form")


def fill_staff_file(template: Path, target: Path, rows: list[tuple[str, str]]) -> None:
    book = load_workbook(template)
    sheet = book.worksheets[0]
    for number, (id_no, name) in enumerate(rows, start=2):
        sheet.cell(row=number, column=1, value=id_no)
        sheet.cell(row=number, column=2, value=name)
    book.save(target)


def test_a_unit_registers_is_approved_adds_an_administrator_and_imports_its_staff(
        world: World, new_page: NewPage, login: Login, shot: Shot, tmp_path: Path) -> None:
    # 1. 用户单位注册, anonymous
    applicant = accept_dialogs(new_page())
    applicant.goto("/units/register")
    expect(applicant.locator("h1")).to_have_text("用人单位注册")
    applicant.get_by_label("单位名称", exact=True).fill(UNIT)
    applicant.get_by_label("单位性质", exact=True).select_option(label="企业")
    applicant.get_by_label("所属行业", exact=True).fill("道路运输业")
    code = credit_code("001")
    applicant.get_by_label("统一社会信用代码", exact=True).fill(code)
    applicant.get_by_label("上级部门", exact=True).select_option(value=_option(applicant, AUTHORITY))
    applicant.get_by_label("管理员用户名", exact=True).fill(APPLICANT)
    applicant.get_by_label("管理员姓名", exact=True).fill(APPLICANT_NAME)
    applicant.get_by_label("管理员手机", exact=True).fill("13912345678")
    applicant.get_by_label("密码", exact=True).fill(APPLICANT_PASSWORD)
    applicant.get_by_label("确认密码", exact=True).fill(APPLICANT_PASSWORD)
    shot(applicant, "org-journey-1-register")
    applicant.get_by_role("button", name="注册", exact=True).click()
    expect(applicant).to_have_url(at(r"/login(\?.*)?"))
    expect(applicant.locator(".flash-success")).to_contain_text("注册成功")
    expect(applicant.get_by_label("用户名", exact=True)).to_have_value(APPLICANT)

    login(applicant, APPLICANT, APPLICANT_PASSWORD)
    nav(applicant, "我的单位注册")
    expect(applicant).to_have_url(at(r"/units/registrations/mine"))
    mine = applicant.locator("section.card", has_text=UNIT)
    expect(mine.locator("h2 .badge")).to_have_text("待审核")
    expect(mine).to_contain_text(AUTHORITY)
    shot(applicant, "org-journey-1-pending")

    # 2. the authority approves it from 审核用人单位
    authority = new_page()
    login(authority, "authority_reviewer")
    nav(authority, "审核用人单位")
    row = authority.locator("tbody tr", has_text=UNIT)
    expect(row).to_contain_text(code)
    expect(row.locator(".badge")).to_have_text("待审核")
    row.get_by_role("link", name=re.compile(r"^审核")).click()
    expect(authority).to_have_url(at(r"/tasks/\d+(\?.*)?"))
    expect(authority.locator("main")).to_contain_text(code)
    shot(authority, "org-journey-2-review")
    decide(authority, "通过")
    expect(authority).to_have_url(at(r"/units/registrations"))  # back to the list it came from
    expect(authority.locator(".flash-success")).to_be_visible()
    expect(authority.locator("tbody tr", has_text=UNIT)).to_have_count(0)  # no longer waiting
    authority.locator("nav.tabs").get_by_role("link", name="已审核", exact=True).click()
    expect(authority).to_have_url(at(r"/units/registrations\?tab=reviewed"))
    expect(authority.locator("tbody tr", has_text=UNIT).locator(".badge")).to_have_text("审核通过")
    shot(authority, "org-journey-2-reviewed")

    applicant.reload()  # the applicant's own page says so too
    expect(mine.locator("h2 .badge")).to_have_text("审核通过")
    expect(mine).to_contain_text("请重新登录")

    # 3. the applicant logs in again: the unit's super administrator, who adds a second administrator
    admin = accept_dialogs(new_page())
    login(admin, APPLICANT, APPLICANT_PASSWORD)
    nav(admin, "管理单位管理员")
    expect(admin).to_have_url(at(r"/org/admins"))
    expect(admin.locator(".hint").first).to_have_text(UNIT)
    me = admin.locator("tbody tr", has_text=APPLICANT)
    expect(me.locator(".badge")).to_have_text("超级管理员")
    form = form_of(admin, "注册成为管理员（非本系统用户）")
    form.get_by_label("用户名", exact=True).fill(SECOND)
    form.get_by_label("密码", exact=True).fill("Chenjing2024a")
    form.get_by_label("确认密码", exact=True).fill("Chenjing2024a")
    form.get_by_label("真实姓名", exact=True).fill(SECOND_NAME)
    form.get_by_label("手机号", exact=True).fill("13987654321")
    form.get_by_role("button", name="新增管理员", exact=True).click()
    expect(admin.locator(".flash-success")).to_contain_text(f"{SECOND_NAME} 已成为管理员")
    rows = admin.locator("table.table tbody tr")
    expect(rows).to_have_count(2)
    second = rows.filter(has_text=SECOND)
    expect(second.locator('td[data-label="姓名"]')).to_have_text(SECOND_NAME)
    expect(second.locator('td[data-label="身份"]')).to_have_text("管理员")
    expect(second.get_by_role("button", name=f"设为超级管理员 {SECOND_NAME}")).to_be_visible()
    expect(rows.filter(has_text=APPLICANT).locator(".badge")).to_have_text("超级管理员")
    shot(admin, "org-journey-3-admins")

    # 4. 批量导入: the template, two people, then a file with one bad row refused whole
    nav(admin, "批量导入")
    expect(admin).to_have_url(at(r"/people/import"))
    with admin.expect_download() as download:
        admin.get_by_role("link", name="下载导入模板（.xlsx）").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    assert download.value.suggested_filename.endswith(".xlsx")
    header = [cell.value for cell in next(load_workbook(template).worksheets[0].iter_rows(max_row=1))]
    assert "身份证号" in header and "姓名" in header, header

    good = tmp_path / "staff.xlsx"
    fill_staff_file(template, good, [(id_number(body), name) for body, name in PEOPLE])
    admin.get_by_label("人员信息表（.xlsx）").set_input_files(good)
    admin.get_by_role("button", name="导入", exact=True).click()
    expect(admin.locator(".flash-success")).to_contain_text("已导入2人")
    latest = admin.locator("table.cards tbody tr").first
    expect(latest.locator('td[data-label="结果"]')).to_have_text("已导入")
    expect(latest.locator('td[data-label="已导入"]')).to_have_text("2")
    shot(admin, "org-journey-4-imported")

    bad = tmp_path / "staff-bad.xlsx"
    bad_id = "11010519900307003" + ("0" if check_digit("11010519900307003") != "0" else "1")
    fill_staff_file(template, bad, [(id_number("11010519900307004"), "赵磊"), (bad_id, "钱敏")])
    admin.get_by_label("人员信息表（.xlsx）").set_input_files(bad)
    admin.get_by_role("button", name="导入", exact=True).click()
    problems = admin.locator("section.card", has=admin.locator("#bad-heading"))
    expect(problems.locator("h2")).to_have_text("文件中的问题（未导入任何数据）")
    expect(problems.locator("tbody tr")).to_have_count(1)
    cells = problems.locator("tbody tr td")
    expect(cells).to_have_text(["3", "身份证号", re.compile(r"\S")])  # the spreadsheet's row 3, the ID column
    latest = admin.locator("table.cards tbody tr").first
    expect(latest.locator('td[data-label="结果"]')).to_have_text("导入失败")
    expect(latest.locator('td[data-label="已导入"]')).to_have_text("0")
    expect(latest.get_by_role("link", name="错误报告")).to_be_visible()
    report_link = problems.get_by_role("link", name="下载错误报告")
    expect(report_link).to_be_visible()
    with admin.expect_download() as download:
        report_link.click()
    report = tmp_path / "report.xlsx"
    download.value.save_as(report)
    report_text = " ".join(str(cell.value) for row in load_workbook(report).worksheets[0].iter_rows()
                           for cell in row if cell.value is not None)
    assert bad_id in report_text, report_text[:500]
    shot(admin, "org-journey-4-refused")

    # the people query lists the two imported, not the refused file's
    admin.goto("/people")
    main = admin.locator("main")
    for _body, name in PEOPLE:
        expect(main).to_contain_text(name)
    expect(main).not_to_contain_text("赵磊")


def _option(page: Page, name: str) -> str:
    """The value of the parent-authority option reading ``name`` (indented by depth)."""
    select = page.get_by_label("上级部门", exact=True)
    for option in select.locator("option").all():
        if option.inner_text().strip() == name:
            return option.get_attribute("value") or ""
    raise AssertionError(f"{name} is not offered as a parent authority: {select.inner_text()}")


def test_a_trainee_changes_the_name_and_the_unit_approves_it(
        world: World, new_page: NewPage, login: Login, shot: Shot) -> None:
    trainee = accept_dialogs(new_page())
    login(trainee, T1)
    nav(trainee, "我的资料")
    expect(trainee).to_have_url(at(r"/my/details"))
    name = trainee.get_by_label("姓名", exact=True)
    expect(name).to_have_value("张伟")
    name.fill("张伟明")
    # 张伟's enrolment has no 职称系列 (title series): left empty, it is not part of the change
    expect(trainee.get_by_label("职称系列", exact=True)).to_have_value("")
    trainee.get_by_role("button", name="提交审核", exact=True).click()
    expect(trainee.locator(".flash-success")).to_be_visible()
    pending = trainee.locator("section.card", has=trainee.locator("#pending-heading"))
    expect(pending.locator(".badge").first).to_have_text("待审核")
    changed = pending.locator("table.diff tr[data-changed]", has=trainee.locator("th", has_text="姓名"))
    expect(changed.locator("mark")).to_have_text("张伟明")
    expect(pending.locator("table.diff tr[data-changed]")).to_have_count(1)  # the name only
    expect(trainee.locator(".who-name")).to_have_text("张伟")  # unchanged until the unit approves
    shot(trainee, "org-journey-5-asked")

    unit = new_page()
    login(unit, "unit_reviewer")
    nav(unit, "审核人员信息修改")
    unit.locator("tbody tr", has_text="张伟").get_by_role("link", name=re.compile("审核|办理")).first.click()
    expect(unit).to_have_url(at(r"/tasks/\d+(\?.*)?"))
    diff = unit.locator("table.diff")
    name_row = diff.locator("tr[data-changed]", has=unit.locator("th", has_text="姓名"))
    expect(name_row.locator("del")).to_have_text("张伟")
    expect(name_row.locator("mark")).to_have_text("张伟明")
    expect(diff.locator("thead")).to_contain_text("原值")
    expect(diff.locator("thead")).to_contain_text("新值")
    shot(unit, "org-journey-5-diff")
    decide(unit, "通过")
    expect(unit.locator(".flash-success")).to_be_visible()

    trainee.goto("/my/details")
    expect(trainee.get_by_label("姓名", exact=True)).to_have_value("张伟明")
    expect(trainee.locator(".who-name")).to_have_text("张伟明")  # the account's name, in the header
    history = trainee.locator("table.cards", has=trainee.locator("caption"))
    expect(history.locator("tbody tr").first.locator(".badge")).to_have_text("审核通过")
    shot(trainee, "org-journey-5-approved")
