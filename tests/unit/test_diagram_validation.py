"""Load-time refusal of unsafe or malformed diagrams (pitfalls 1 and 8)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.diagrams import document, gateway_diagram, shipped, task_with
from workflows import DiagramError, Engine, parse_bundle

SERVICES = {"credit_claim_hours": lambda host, params, data: {}, "discard_claim": lambda host, params, data: {}}


def problems_of(content: bytes, services=SERVICES) -> list[str]:
    with pytest.raises(DiagramError) as caught:
        parse_bundle(content, services)
    return caught.value.problems


@pytest.mark.parametrize("name", ["credit_claim", "enrollment"])
def test_shipped_diagrams_load(name):
    bundle = parse_bundle(shipped(name), {"credit_claim_hours", "approve_enrollment", "discard_claim"})
    assert bundle.process_id == name
    assert {"trainee", "unit"} <= bundle.lanes


def test_gateway_importing_os_is_refused(tmp_path: Path):
    marker = tmp_path / "pwned"
    problems = problems_of(gateway_diagram(f"__import__('os').system('touch {marker}')"))
    assert any(p.startswith("f3:") and "refused" in p for p in problems)
    assert not marker.exists()


def test_gateway_walking_subclasses_is_refused():
    problems = problems_of(gateway_diagram("().__class__.__base__.__subclasses__()"))
    assert any("f3:" in p for p in problems)


def test_script_task_is_refused():
    body = """<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:scriptTask id="evil"><bpmn:incoming>f1</bpmn:incoming><bpmn:script>import os</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="evil"/>"""
    problems = problems_of(document(body, {"a": ["start", "evil"]}))
    assert any("evil: bpmn:scriptTask is not supported" in p for p in problems)
    assert any("bpmn:script is not supported" in p for p in problems)


@pytest.mark.parametrize("extension, fragment", [
    ("<spiffworkflow:preScript>import os</spiffworkflow:preScript>", "spiffworkflow:preScript"),
    ("<spiffworkflow:postScript>x = 1</spiffworkflow:postScript>", "spiffworkflow:postScript"),
    ('<camunda:executionListener class="x"/>', "extension element"),
    ('<spiffworkflow:properties><spiffworkflow:property name="evil" value="1"/></spiffworkflow:properties>',
     "unknown property 'evil'"),
    ('<spiffworkflow:properties><spiffworkflow:property name="status" value="__import__"/>'
     "</spiffworkflow:properties>", "malformed"),
    ('<spiffworkflow:properties><spiffworkflow:property name="decisions" value="approve; rm -rf /"/>'
     "</spiffworkflow:properties>", "malformed"),
])
def test_task_extensions_are_whitelisted(extension, fragment):
    problems = problems_of(task_with(extension))
    assert any(fragment in p and p.startswith("task") for p in problems), problems


def test_unregistered_service_operation_is_refused():
    extension = ('<spiffworkflow:serviceTaskOperator id="delete_everything"><spiffworkflow:parameters/>'
                 "</spiffworkflow:serviceTaskOperator>")
    problems = problems_of(task_with(extension, tag="serviceTask"))
    assert any("'delete_everything' is not registered" in p for p in problems)


def test_service_parameter_expressions_are_checked():
    extension = ('<spiffworkflow:serviceTaskOperator id="credit_claim_hours"><spiffworkflow:parameters>'
                 '<spiffworkflow:parameter id="x" type="str" value="__import__(\'os\')"/>'
                 '</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>')
    problems = problems_of(task_with(extension, tag="serviceTask"))
    assert any("refused" in p for p in problems)


def test_user_task_outside_any_lane_is_refused():
    content = task_with("").replace(b'<bpmn:flowNodeRef>task</bpmn:flowNodeRef>', b"")
    assert any("must sit in a lane" in p for p in problems_of(content))


def test_schema_violations_are_reported():
    broken = document('<bpmn:startEvent id="start" bogus="1"/>', {"a": ["start"]})
    assert problems_of(broken)


def test_entities_are_not_expanded():
    content = b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">&x;</bpmn:definitions>"""
    problems = problems_of(content)
    assert not any("root:" in p for p in problems)


def test_not_xml_at_all():
    assert problems_of(b"MZ\x90\x00 not a diagram")[0].startswith("not well-formed XML")


def test_all_problems_are_listed_at_once():
    body = """<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:scriptTask id="s1"><bpmn:incoming>f1</bpmn:incoming></bpmn:scriptTask>
<bpmn:userTask id="u1"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="s1">
  <bpmn:conditionExpression>__import__('os')</bpmn:conditionExpression></bpmn:sequenceFlow>"""
    problems = problems_of(document(body, {"a": ["start", "s1"]}))
    assert {p.split(":")[0] for p in problems} >= {"s1", "u1", "f1"}


def test_engine_caches_specs_by_content_hash():
    engine = Engine(SERVICES)
    content = shipped("credit_claim")
    first = engine.bundle(content)
    assert engine.bundle(content) is first
    assert engine.bundle(content.replace(b"Credit-hour claim", b"Credit-hour claim v2")) is not first
    with pytest.raises(DiagramError):
        engine.bundle(content, known_hash="0" * 64)
