"""The diagram editor and the marked viewer (partials of process_admin/) in a real Chromium.

The process-administration pages are not on this branch's app, so this module serves the
partials from a test-only blueprint on an app of its own (a blueprint must be registered
before an app's first request, and the session app has served many): a page that extends
base.html and includes ``_modeler.html`` with a configuration pointing at routes that record
what they receive and answer in the page contract's format.
"""
from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Blueprint, Flask, Response, jsonify, render_template_string, request, url_for
from flask_login import login_required
from flask_wtf.csrf import generate_csrf
from lxml import etree
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from tests.conftest import app_for_tests
from tests.support.people import make_user
from workflows.specs import parse_bundle

from .conftest import ROOT

TEMPLATES = ROOT / "app" / "process_admin" / "templates"
BPMN = ROOT / "bpmn"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
VOCABULARY = {
    "lanes": [{"id": "trainee", "label": "学员"}, {"id": "unit", "label": "用人单位"},
              {"id": "authority", "label": "主管部门"}],
    "forms": [{"id": "submission", "label": "提交材料"}, {"id": "resubmission", "label": "重新提交"},
              {"id": "reviewed_hours", "label": "单位审核学时"}, {"id": "registered_hours", "label": "登记学时"}],
    "handlers": [{"id": "credit_claim_hours", "label": "登记学时入账"}, {"id": "discard_claim", "label": "删除草稿"}],
    "decisions": [{"id": "approve", "label": "通过"}, {"id": "return", "label": "退回修改"},
                  {"id": "reject", "label": "不通过"}, {"id": "submit", "label": "提交"}],
}
SIMULATION_MARKS = {"approved": "end", "unit_review": "reached", "revise": "unreached",
                    "unit_rejected": "dead_end", "to_unit_review": "loop", "authority_review": "problem"}
DIFF_MARKS = {"unit_review": "changed", "revise": "removed", "authority_review": "added"}
# what the browser does before leaving a page: true when the page asks to stay
LEAVING = """() => {
    const event = new Event('beforeunload', {cancelable: true});
    window.dispatchEvent(event);
    return event.defaultPrevented;
}"""
PAGE = """{% extends "base.html" %}{% block title %}Harness{% endblock %}
{% block content %}{% include "process_admin/" + partial %}{% endblock %}"""


@dataclass
class Harness:
    """What the test routes received, and what they answer next."""

    saves: list[dict[str, Any]] = field(default_factory=list)
    validations: list[dict[str, Any]] = field(default_factory=list)
    save_answer: tuple[dict[str, Any], int] = ({"ok": True, "id": 7, "problems": [], "redirect": None}, 200)
    diagram: str = "credit_claim"

    def record(self, into: list[dict[str, Any]]) -> str:
        xml = request.form["bpmn"]
        into.append({"xml": xml, "accept": request.headers.get("Accept"),
                     "csrf": request.headers.get("X-CSRFToken")})
        return xml


def harness_blueprint(harness: Harness) -> Blueprint:
    bp = Blueprint("modeler_harness", __name__, url_prefix="/_test/modeler", template_folder=str(TEMPLATES))

    def config(readonly: bool) -> dict[str, Any]:
        return {"xml_url": url_for(".diagram", name=harness.diagram), "save_url": url_for(".save"),
                "validate_url": url_for(".validate"), "csrf_token": generate_csrf(),
                "process_key": harness.diagram, "readonly": readonly, "vocabulary": VOCABULARY}

    @bp.get("/edit")
    @login_required
    def edit() -> str:
        readonly = request.args.get("readonly") == "1"
        return render_template_string(PAGE, partial="_modeler.html", modeler=config(readonly))

    @bp.get("/marked")
    @login_required
    def marked() -> str:
        return render_template_string(PAGE, partial="_marked_diagram.html", marked={
            "xml_url": url_for(".diagram", name="credit_claim"), "marks": DIFF_MARKS, "title": "v1 → v2"})

    @bp.get("/diagram/<name>.bpmn")
    def diagram(name: str) -> Response:
        path = BPMN / f"{name}.bpmn"
        if path.parent != BPMN or not path.is_file():
            return Response("no such diagram", status=404)
        return Response(path.read_bytes(), mimetype="application/xml")

    @bp.post("/save")
    @login_required
    def save() -> tuple[Response, int]:
        harness.record(harness.saves)
        body, status = harness.save_answer
        return jsonify(body), status

    @bp.post("/validate")
    @login_required
    def validate() -> Response:
        harness.record(harness.validations)
        return jsonify({"ok": False, "problems": ["unit_review: no candidate can act on this step (example)"],
                        "simulation": {"summary": ["2 end states reachable"]}, "marks": SIMULATION_MARKS})

    return bp


@pytest.fixture(scope="module")
def harness() -> Harness:
    return Harness()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, harness: Harness) -> Iterator[Flask]:
    """This module's own app (SQLite: the harness stores nothing) with the harness blueprint."""
    root = tmp_path_factory.mktemp("modeler-app")
    with app_for_tests(root, f"sqlite:///{root / 'test.db'}",
                       lambda flask_app: flask_app.register_blueprint(harness_blueprint(harness))) as flask_app:
        yield flask_app


@pytest.fixture
def admin_page(app: Flask, page: Page, login, harness: Harness) -> Page:
    harness.saves.clear()
    harness.validations.clear()
    harness.save_answer = ({"ok": True, "id": 7, "problems": [], "redirect": None}, 200)
    make_user(app, "process_admin", "流程管理员", roles=[("process_admin", None)])
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors  # type: ignore[attr-defined]
    login(page, "process_admin")
    page.goto("/lang/en")  # the words asserted below are the English ones, the same before and after translation
    return page


def open_editor(page: Page, readonly: bool = False) -> None:
    page.goto("/_test/modeler/edit" + ("?readonly=1" if readonly else ""))
    expect(page.locator("[data-modeler]")).to_have_attribute("data-ready", "true")


def select(page: Page, element_id: str) -> None:
    page.locator(f'.djs-element[data-element-id="{element_id}"]').first.click()


def choose(page: Page, element_id: str) -> None:
    """Select an element through the editor (a lane's or a flow's middle may lie under another)."""
    page.evaluate("(id) => window.ceModeler.get('selection').select(window.ceModeler.get('elementRegistry').get(id))",
                  element_id)


def properties(xml: str, element_id: str) -> dict[str, str]:
    root = etree.fromstring(xml.encode())
    element = root.find(f".//*[@id='{element_id}']")
    return {p.get("name"): p.get("value") for p in element.iter(f"{{{SPIFF_NS}}}property")}


def marked(kind: str) -> re.Pattern[str]:
    """The class list of an element that carries the canvas marker of ``kind``."""
    return re.compile(rf"(^|\s)mark-{kind}(\s|$)")


def set_checked(box: Locator, checked: bool, attempts: int = 3) -> None:
    """Set a panel checkbox, clicking again if a click was lost: the properties panel redraws its
    groups after each command, and a click that lands while it does (Playwright clicks within
    milliseconds of the last change; a person does not) can hit the input being replaced, which
    leaves the box as it was. What the click must change is asserted by the caller, from the XML."""
    for attempt in range(attempts):
        try:
            box.set_checked(checked, timeout=3000)
            return
        except PlaywrightError:
            if attempt == attempts - 1:
                raise


def element_properties(page: Page, element_id: str) -> dict[str, str]:
    xml = page.evaluate("async () => (await window.ceModeler.saveXML()).xml")
    return properties(xml, element_id)


def test_the_editor_opens_the_diagram_and_offers_the_plugins_vocabulary(admin_page: Page, shot) -> None:
    page = admin_page
    open_editor(page)
    ids = page.evaluate("() => window.ceModeler.get('elementRegistry').getAll().map(e => e.id)")
    assert {"unit_review", "authority_review", "approved", "credit_hours"} <= set(ids)

    select(page, "unit_review")
    decisions = page.locator('[data-entry-id="ce-decisions"]')
    for label in ("通过 (approve)", "退回修改 (return)", "不通过 (reject)", "提交 (submit)"):
        expect(decisions.get_by_label(label, exact=True)).to_be_visible()
    expect(decisions.get_by_label("通过 (approve)", exact=True)).to_be_checked()
    expect(decisions.get_by_label("不通过 (reject)", exact=True)).to_be_checked()
    expect(decisions.get_by_label("退回修改 (return)", exact=True)).not_to_be_checked()
    comments = page.locator('[data-entry-id="ce-comment-required"]')
    expect(comments.locator("input[type=checkbox]")).to_have_count(2)  # only the chosen decisions
    form = page.locator('[data-entry-id="ce-form"] select')
    expect(form).to_have_value("reviewed_hours")
    assert form.locator("option").all_inner_texts() == ["(none)"] + [f"{f['label']} ({f['id']})"
                                                                    for f in VOCABULARY["forms"]]

    select(page, "credit_hours")
    handler = page.locator('[data-entry-id="ce-handler"] select')
    expect(handler).to_have_value("credit_claim_hours")
    handler.select_option("discard_claim")
    assert page.evaluate("""() => window.ceModeler.get('elementRegistry').get('credit_hours')
        .businessObject.extensionElements.values[0].id""") == "discard_claim"
    shot(page, "modeler-editor")

    choose(page, "unit")  # a lane: who acts there, among the plug-in's lanes
    lane = page.locator('[data-entry-id="ce-lane-id"] select')
    expect(lane).to_have_value("unit")
    assert lane.locator("option").all_inner_texts() == [f"{x['label']} ({x['id']})" for x in VOCABULARY["lanes"]]

    choose(page, "f_unit_approve")  # a sequence flow: its condition, written as a bpmn:FormalExpression
    condition = page.locator('[data-entry-id="ce-condition"] input')
    expect(condition).to_have_value('decision == "approve"')
    condition.fill('decision == "approve" and hours > 0')
    expect(page.locator('[data-modeler]')).to_have_attribute("data-dirty", "true")
    written = page.wait_for_function("""() => {
        const e = window.ceModeler.get('elementRegistry').get('f_unit_approve').businessObject.conditionExpression;
        return e.body.endsWith('hours > 0') && e.$type;
    }""").json_value()
    assert written == "bpmn:FormalExpression"
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_a_change_in_the_panel_is_saved_as_xml_and_undo_restores_it(admin_page: Page, harness: Harness) -> None:
    page = admin_page
    open_editor(page)
    select(page, "unit_review")
    label = page.locator('[data-entry-id="ce-status-label"] input')
    expect(label).to_have_value("等待单位审核")
    label.fill("等待用人单位审核")
    expect(page.locator("[data-modeler]")).to_have_attribute("data-dirty", "true")

    # decisions are stored in the vocabulary's order, whatever the order of the clicks
    set_checked(page.locator('[data-entry-id="ce-decisions"]').get_by_label("退回修改 (return)", exact=True), True)
    assert element_properties(page, "unit_review")["decisions"] == "approve,return,reject"
    expect(page.locator('[data-entry-id="ce-comment-required"]')
           .get_by_label("退回修改 (return)", exact=True)).to_be_visible()  # the panel drew the change
    set_checked(page.locator('[data-entry-id="ce-decisions"]').get_by_label("不通过 (reject)", exact=True), False)
    props = element_properties(page, "unit_review")
    assert props["decisions"] == "approve,return"
    assert "comment_required" not in props  # "reject" was the only one; no longer a decision
    page.locator("[data-action=undo]").click()
    assert element_properties(page, "unit_review")["comment_required"] == "reject"

    # a malformed period is refused in the panel and never written
    due = page.locator('[data-entry-id="ce-due"] input')
    due.fill("15 days")
    expect(page.locator('[data-entry-id="ce-due"] .bio-properties-panel-error')).to_be_visible()
    due.fill("P15D")
    expect(page.locator('[data-entry-id="ce-due"] .bio-properties-panel-error')).to_have_count(0)

    page.locator("[data-action=save]").click()
    expect(page.locator("[data-status]")).to_have_text("Draft saved.")
    expect(page.locator("[data-modeler]")).to_have_attribute("data-dirty", "false")
    assert page.evaluate(LEAVING) is False  # saved: leaving asks nothing
    assert len(harness.saves) == 1
    sent = harness.saves[0]
    assert sent["accept"] == "application/json" and sent["csrf"]
    saved = properties(sent["xml"], "unit_review")
    assert saved["status_label"] == "等待用人单位审核"
    assert saved["decisions"] == "approve,return,reject" and saved["comment_required"] == "reject"
    assert saved["due"] == "P15D"
    assert properties(sent["xml"], "approved")["status_label"] == "主管部门审核通过"  # the rest untouched


def test_a_refused_save_shows_the_reason_and_keeps_the_changes_unsaved(admin_page: Page, harness: Harness) -> None:
    page = admin_page
    harness.save_answer = ({"error": {"message": "草稿不合规", "fields": {"bpmn": ["unit: unknown lane"]}}}, 422)
    open_editor(page)
    select(page, "approved")
    page.locator('[data-entry-id="ce-status"] input').fill("approved_twice")
    page.locator("[data-action=save]").click()
    problems = page.locator("[data-problems-section]")
    expect(problems.locator("[data-simulation-summary]")).to_contain_text("草稿不合规")
    expect(problems.locator("[data-problems]")).to_contain_text("bpmn: unit: unknown lane")
    expect(page.locator("[data-modeler]")).to_have_attribute("data-dirty", "true")

    # leaving the page asks first: the guard cancels "beforeunload" (the browser then asks "leave?")
    assert page.evaluate(LEAVING) is True


def test_a_local_bpmn_file_opens_over_the_diagram_and_is_unsaved(admin_page: Page, harness: Harness,
                                                                  tmp_path) -> None:
    page = admin_page
    open_editor(page)
    expect(page.locator("[data-modeler]")).to_have_attribute("data-dirty", "false")
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<not-bpmn", encoding="utf-8")
    page.locator("[data-open-file]").set_input_files(str(broken))
    expect(page.locator("[data-simulation-summary]")).to_contain_text("broken.bpmn is not a BPMN diagram")
    expect(page.locator("[data-modeler]")).to_have_attribute("data-dirty", "false")  # the diagram is untouched

    page.locator("[data-open-file]").set_input_files(str(BPMN / "enrollment.bpmn"))
    expect(page.locator("[data-status]")).to_have_text("enrollment.bpmn opened: save it as a draft to keep it.")
    expect(page.locator("[data-modeler]")).to_have_attribute("data-dirty", "true")
    assert page.evaluate(LEAVING) is True
    page.locator("[data-action=save]").click()
    expect(page.locator("[data-status]")).to_have_text("Draft saved.")
    root = etree.fromstring(harness.saves[-1]["xml"].encode())
    assert [p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")] == ["enrollment"]


def test_bpmnlint_reports_in_the_editor_what_the_cli_reports(admin_page: Page) -> None:
    page = admin_page
    open_editor(page)
    lint = page.locator("[data-lint-count]")
    expect(lint).to_have_attribute("data-errors", "0")
    expect(lint).to_have_attribute("data-warnings", "0")

    # an inclusive gateway is allowed (.bpmnlintrc turns recommended's warning off); a task with
    # no way out is an error, drawn on the element
    new_ids = page.evaluate("""() => {
        const m = window.ceModeler, registry = m.get('elementRegistry'), modeling = m.get('modeling');
        const source = registry.get('authority_review');
        const gateway = modeling.appendShape(source, {type: 'bpmn:InclusiveGateway'},
                                             {x: source.x + 60, y: source.y + 260});
        const task = modeling.appendShape(gateway, {type: 'bpmn:Task'}, {x: gateway.x + 150, y: gateway.y + 20});
        modeling.updateLabel(task, '第二次审核');
        return [gateway.id, task.id];
    }""")
    expect(lint).not_to_have_attribute("data-errors", "0")
    issues = page.evaluate("async () => window.ceModeler.get('linting').lint()")  # {rule: [issue]}
    assert new_ids[1] in {issue["id"] for issue in issues.get("no-implicit-end", [])}
    assert "no-inclusive-gateway" not in issues
    overlays = page.evaluate("(id) => window.ceModeler.get('overlays').get({element: id, type: 'linting'}).length",
                             new_ids[1])
    assert overlays >= 1

    # every diagram of the repository: as clean in the editor as for `bpmnlint bpmn/*.bpmn`
    cli = subprocess.run([str(ROOT / "node_modules/.bin/bpmnlint"), *map(str, sorted(BPMN.glob("*.bpmn")))],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert cli.returncode == 0, cli.stdout
    names = [path.stem for path in sorted(BPMN.glob("*.bpmn"))]
    result = page.evaluate("""async (names) => {
        const found = {}, exported = {};
        for (const name of names) {
            const xml = await (await fetch(`/_test/modeler/diagram/${name}.bpmn`)).text();
            await window.ceModeler.importXML(xml);
            const issues = await window.ceModeler.get('linting').lint();
            if (Object.keys(issues).length) found[name] = issues;
            exported[name] = (await window.ceModeler.saveXML({format: true})).xml;
        }
        return {found, exported};
    }""", names)
    assert result["found"] == {}

    # and what the editor writes back is, for the engine, the same diagram
    for name, xml in result["exported"].items():
        original = (BPMN / f"{name}.bpmn").read_bytes()
        services = set(re.findall(r'serviceTaskOperator id="([^"]+)"', original.decode()))
        before, after = parse_bundle(original, services), parse_bundle(xml.encode(), services)
        assert {k: (t.lane, t.properties) for k, t in after.tasks.items()} == \
            {k: (t.lane, t.properties) for k, t in before.tasks.items()}, name
        assert set(after.graph.flows) == set(before.graph.flows), name
        assert (after.graph.kinds, after.graph.defaults, after.graph.operators, after.graph.listens) == \
            (before.graph.kinds, before.graph.defaults, before.graph.operators, before.graph.listens), name


def test_validation_colours_the_elements_and_lists_the_problems(admin_page: Page, harness: Harness, shot) -> None:
    page = admin_page
    open_editor(page)
    page.locator("[data-action=validate]").click()
    expect(page.locator("[data-status]")).to_have_text("Problems found: 1.")
    assert len(harness.validations) == 1 and harness.validations[0]["csrf"]
    assert etree.fromstring(harness.validations[0]["xml"].encode()).find(f".//{{{BPMN_NS}}}userTask") is not None
    for element_id, kind in SIMULATION_MARKS.items():
        expect(page.locator(f'.djs-element[data-element-id="{element_id}"]').first).to_have_class(marked(kind))
    expect(page.locator("[data-marks-legend]")).to_be_visible()
    expect(page.locator("[data-simulation-summary]")).to_contain_text("2 end states reachable")
    expect(page.locator("[data-marks-list] li")).to_have_count(len(SIMULATION_MARKS))

    page.locator("[data-problems] button", has_text="no candidate can act").click()
    selected = page.evaluate("() => window.ceModeler.get('selection').get().map(e => e.id)")
    assert selected == ["unit_review"]
    expect(page.locator('[data-entry-id="ce-status"] input')).to_have_value("unit_review")
    shot(page, "modeler-validated")


def test_a_read_only_editor_shows_properties_but_cannot_save(admin_page: Page) -> None:
    page = admin_page
    open_editor(page, readonly=True)
    expect(page.locator("[data-action=save]")).to_have_count(0)
    expect(page.locator(".djs-palette")).to_have_count(0)
    select(page, "unit_review")
    details = page.locator("[data-modeler-panel] .modeler-details")
    expect(details).to_contain_text("decisions")
    expect(details).to_contain_text("approve,reject")
    page.locator("[data-action=validate]").click()
    expect(page.locator('.djs-element[data-element-id="approved"]').first).to_have_class(
        marked("end"))


def test_the_marked_viewer_colours_a_diff_with_a_legend(admin_page: Page, shot) -> None:
    page = admin_page
    page.goto("/_test/modeler/marked")
    section = page.locator("[data-marked-diagram]")
    expect(section).to_have_class(re.compile(r"\bmarked-ready\b"))
    for element_id, kind in DIFF_MARKS.items():
        element = section.locator(f'.djs-element[data-element-id="{element_id}"]').first
        expect(element).to_have_class(marked(kind))
    legend = section.locator(".marks-legend li")
    expect(legend).to_have_count(3)
    assert [" ".join(text.split()) for text in legend.all_text_contents()] == ["+ Added", "− Removed", "Δ Changed"]
    items = section.locator("[data-marked-list] li")
    expect(items).to_have_count(3)
    expect(items.filter(has_text="单位审核 (unit_review)")).to_contain_text("Changed")
    shot(page, "marked-diff")
    assert page.console_errors == []  # type: ignore[attr-defined]
