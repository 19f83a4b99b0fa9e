"""The diagram editor's partials find what `make assets` builds, and render their data safely.

The suite needs `make assets` (the browser tests draw diagrams), so a missing bundle is a
failure here, not a skip.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader
from lxml import html

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "app" / "static"
TEMPLATES = ROOT / "app" / "process_admin" / "templates"
PARTIALS = TEMPLATES / "process_admin"
STATIC_REF = re.compile(r"url_for\('static', filename='([^']+)'\)")
HOSTILE = "</script><script>alert(1)</script>"


def _references() -> dict[str, set[str]]:
    return {partial.name: set(STATIC_REF.findall(partial.read_text(encoding="utf-8")))
            for partial in PARTIALS.glob("_*.html")}


def test_every_static_file_the_partials_name_exists():
    references = _references()
    assert {"vendor/modeler/modeler.js", "vendor/modeler/modeler.css", "css/modeler.css"} <= references["_modeler.html"]
    assert {"vendor/bpmn-js/bpmn-navigated-viewer.production.min.js", "js/diagram-marks.js"} \
        <= references["_marked_diagram.html"]
    missing = sorted(f"{name}: app/static/{ref}" for name, refs in references.items() for ref in refs
                     if not (STATIC / ref).is_file())
    assert missing == [], "run `make assets`"


def test_the_bundle_carries_its_fonts_lint_rules_and_moddle_extension():
    css = (STATIC / "vendor" / "modeler" / "modeler.css").read_text(encoding="utf-8")
    fonts = set(re.findall(r'url\("?\./(font/[^"?#)]+)', css))
    assert fonts and all((STATIC / "vendor" / "modeler" / font).is_file() for font in fonts)
    script = (STATIC / "vendor" / "modeler" / "modeler.js").read_text(encoding="utf-8")
    assert "http://spiffworkflow.org/bpmn/schema/1.0/core" in script
    assert "bpmnlint/no-implicit-end" in script  # the packed .bpmnlintrc
    assert "Element is an implicit end" in script  # ... with its rules' code


def _env(app: Flask):
    return app.jinja_env.overlay(loader=ChoiceLoader([FileSystemLoader(str(TEMPLATES)), app.jinja_env.loader]))


def _render(app: Flask, name: str, **context) -> str:
    with app.test_request_context("/"):
        return _env(app).get_template(f"process_admin/{name}").render(**context)


def test_the_editor_config_is_json_that_no_label_can_break_out_of(app: Flask):
    modeler = {"xml_url": "/d.bpmn", "save_url": "/save", "validate_url": "/validate", "csrf_token": "t",
               "process_key": "credit_claim", "readonly": False,
               "vocabulary": {"lanes": [{"id": "unit", "label": HOSTILE}], "forms": [], "handlers": [],
                              "decisions": []}}
    page = _render(app, "_modeler.html", modeler=modeler)
    assert HOSTILE not in page
    tree = html.fromstring(page)
    config = json.loads(tree.get_element_by_id("modeler-config").text)
    assert config == modeler
    messages = json.loads(tree.get_element_by_id("modeler-messages").text)
    assert messages["{errors} Errors, {warnings} Warnings"]  # bpmn-js-bpmnlint's own words, translated
    assert tree.xpath('//*[@data-action="save"]') and tree.xpath('//*[@data-action="undo"]')


def test_a_read_only_editor_has_no_save_or_undo(app: Flask):
    page = _render(app, "_modeler.html", modeler={"xml_url": "/d.bpmn", "validate_url": "/v", "readonly": True})
    tree = html.fromstring(page)
    assert not tree.xpath('//*[@data-action="save"]') and not tree.xpath('//*[@data-action="undo"]')
    assert tree.xpath('//*[@data-action="validate"]') and tree.xpath('//*[@data-action="download"]')


def test_the_marked_legend_explains_the_kinds_used_in_order(app: Flask):
    marked = {"xml_url": "/d.bpmn", "marks": {"b": "removed", "a": "added", "c": "added"}}
    tree = html.fromstring(_render(app, "_marked_diagram.html", marked=marked))
    kinds = [span.get("data-mark-icon") for span in tree.xpath('//*[@class="marks-legend"]//*[@data-mark-icon]')]
    assert kinds == ["added", "removed"]
    config = json.loads(tree.xpath("//script[@data-marked-config]")[0].text)
    assert config["marks"] == marked["marks"] and config["labels"]["changed"]

    # a page's own legend chooses the kinds and their words
    marked["legend"] = {"removed": HOSTILE}
    page = _render(app, "_marked_diagram.html", marked=marked)
    assert HOSTILE not in page
    tree = html.fromstring(page)
    assert [li.text_content().strip() for li in tree.xpath('//*[@class="marks-legend"]/li')] == [HOSTILE]
