"""A process administrator adds a second unit review (单位复核) to the credit claim in the browser:
draws it in the modeler, sees the server refuse it, fixes it in the properties panel, simulates,
publishes v2, reads the diff, dry-runs and moves the claims waiting at the unit's review; new
claims follow v2. An auditor then finds the moves in the audit search and exports them."""
from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import ProcessInstance
from tests.support.world import T1

ADD_SECOND_REVIEW = """() => {
    const m = window.ceModeler, registry = m.get('elementRegistry'), modeling = m.get('modeling');
    const pool = registry.get('credit_claim_pool'), lane = registry.get('unit');
    const authority = registry.get('authority_review'), flow = registry.get('f_unit_approve');
    const task = modeling.createShape({type: 'bpmn:UserTask'},
        {x: authority.x + authority.width / 2, y: lane.y + lane.height - 45}, pool);
    modeling.updateProperties(task, {id: 'unit_review_2', name: '单位复核'});
    modeling.reconnectEnd(flow, task, {x: task.x + task.width / 2, y: task.y});
    modeling.connect(task, authority);
    return task.businessObject.$parent.laneSets[0].lanes.find(l => l.flowNodeRef.includes(task.businessObject)).id;
}"""


def _problems(page: Page):
    return page.locator("[data-problems] li")


def test_a_process_administrator_adds_a_step_publishes_and_moves_the_waiting_claims(
        app, api, new_page, login, shot) -> None:
    waiting = [api.submitted_claim(T1) for _ in range(2)]
    page = new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    login(page, "process_admin")
    page.goto("/admin/processes")
    page.locator("#process-credit_claim").get_by_role("link", name="v1").click()
    page.get_by_role("button", name="新建草稿编辑").click()
    expect(page.locator("[data-modeler]")).to_have_attribute("data-ready", "true")
    draft_id = int(re.search(r"/admin/processes/(\d+)/edit", page.url).group(1))

    lane = page.evaluate(ADD_SECOND_REVIEW)
    assert lane == "unit"  # drawn in the unit's lane
    page.locator('[data-action="validate"]').click()
    expect(_problems(page).filter(has_text="unit_review_2").first).to_be_visible()
    assert any("status" in text for text in _problems(page).all_inner_texts())
    shot(page, "process-admin-editor-problem")

    page.locator('.djs-element[data-element-id="unit_review_2"]').first.click()
    page.locator('[data-entry-id="ce-status"] input').fill("unit_review_2")
    page.locator('[data-entry-id="ce-status-label"] input').fill("等待单位复核")
    page.locator('[data-entry-id="ce-decisions"]').get_by_label("通过 (approve)", exact=True).check()
    page.locator('[data-action="validate"]').click()
    expect(page.locator('.djs-element[data-element-id="unit_review_2"]').first).to_have_class(
        re.compile(r"(^|\s)mark-reached(\s|$)"))
    expect(_problems(page)).to_have_count(0)
    page.locator('[data-action="save"]').click()
    expect(page.locator("[data-modeler]")).to_have_attribute("data-dirty", "false")
    shot(page, "process-admin-editor-fixed")

    page.locator("#publish-draft").click()
    expect(page.locator("h1")).to_contain_text("v2")
    page.get_by_label("对比版本").select_option(label="v1")
    page.get_by_role("button", name="查看差异").click()
    expect(page.locator("#diff-summary")).to_contain_text("unit_review_2")
    expect(page.locator('.djs-element[data-element-id="unit_review_2"]').first).to_have_class(
        re.compile(r"(^|\s)mark-added(\s|$)"))
    shot(page, "process-admin-diff")

    page.get_by_role("link", name="迁移实例").click()
    rows = page.locator("#migrate-results tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="可迁移")).to_have_count(2)
    page.locator("#migrate-selected").click()
    expect(page.locator("#migrate-results .badge-ok")).to_have_count(2)
    shot(page, "process-admin-migrated")

    with app.app_context():
        on = {db.session.get(ProcessInstance, c["instance_id"]).definition_id for c in waiting}
        assert on == {draft_id}
    api.decide("unit_reviewer", waiting[0]["id"], "approve")
    assert api.claim(T1, waiting[0]["id"])["status"] == "unit_review_2"  # the moved claim meets the new step
    fresh = api.submitted_claim(T1)
    api.decide("unit_reviewer", fresh["id"], "approve")
    assert api.claim(T1, fresh["id"])["status"] == "unit_review_2"  # and so do new claims
    assert errors == []

    auditor = new_page()
    login(auditor, "auditor")
    auditor.goto("/audit")
    auditor.locator("#f-action").fill("migrate")
    auditor.locator("#f-process").select_option("credit_claim")
    auditor.get_by_role("button", name=re.compile("查询|搜索")).first.click()
    rows = auditor.locator("table.audit-log tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="已迁移到流程的新版本")).to_have_count(2)
    for claim in waiting:
        expect(auditor.locator(f'table.audit-log a[href="/processes/{claim["instance_id"]}"]')).to_have_count(1)
    shot(auditor, "auditor-finds-the-migration")
    with auditor.expect_download() as download:
        auditor.get_by_role("link", name="导出 CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    exported = list(csv.reader(io.StringIO(text)))
    body = [row for row in exported[1:] if row]
    assert len(body) == 2 and all("migrate" in ",".join(row) for row in body), exported[:3]
