"""An auditor in Chromium: finds a unit's decision in the audit log from the header, exports it, and
verifies the log's integrity; the pages fit a phone."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import expect

from tests.support.world import T1

PHONE = {"width": 390, "height": 844}


def test_an_auditor_searches_exports_and_verifies(api, new_page, login, shot, no_overflow):
    claim = api.submitted_claim(T1)
    assert api.decide("unit_reviewer", claim["id"], "reject", comment="=cmd|' /C calc'!A0").status_code == 200
    page = new_page()
    login(page, "auditor")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="审计日志").click()
    page.get_by_label("操作人（姓名或用户名）").fill("审核")
    page.get_by_label("流程", exact=True).select_option("credit_claim")
    page.get_by_role("button", name="查询", exact=True).click()
    row = page.locator("table.audit-log tbody tr").filter(has_text="不通过").first
    expect(row).to_contain_text("=cmd|' /C calc'!A0")
    shot(page, "audit-search")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 CSV").click()
    assert download.value.suggested_filename.startswith("audit-events-")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert any(r[12] == "'=cmd|' /C calc'!A0" for r in rows[1:])  # neutralised
    row.get_by_role("link", name=f"学时登记 #{claim['id']}").click()
    expect(page).to_have_url(f"{page.url.split('/processes')[0]}/processes/{claim['instance_id']}")
    page.goto("/audit/integrity")
    page.get_by_role("button", name="完整校验").click()
    expect(page.get_by_role("status")).to_contain_text("未发现问题")
    expect(page.locator("dl.facts")).to_contain_text("完好")
    shot(page, "audit-integrity")
    page.set_viewport_size(PHONE)
    no_overflow(page)
    page.goto("/audit?process_key=credit_claim")
    no_overflow(page)
