"""Diagrams for the simulation and diff tests: small crafted ones, and edited copies of shipped ones.

``credit_claim_unit_review_2.bpmn`` is ``bpmn/credit_claim.bpmn`` with a second unit review
(``unit_review_2``, lane ``unit``) after the unit's approval, drawn (it opens in the modeler).
"""
from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from tests.support.diagrams import document, shipped
from workflows import ProcessBundle, parse_bundle

HERE = Path(__file__).resolve().parent
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def bundle(content: bytes | str) -> ProcessBundle:
    """Parse ``content``, registering the service operations it names."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    services = set(re.findall(rb'serviceTaskOperator id="([^"]+)"', raw))
    return parse_bundle(raw, {s.decode() for s in services})


def user(element: str, decisions: str = "", status: str | None = None) -> str:
    props = f'<spiffworkflow:property name="decisions" value="{decisions}"/>' if decisions else ""
    if status:
        props += f'<spiffworkflow:property name="status" value="{status}"/>'
    return (f'<bpmn:userTask id="{element}"><bpmn:extensionElements><spiffworkflow:properties>{props}'
            "</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>")


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    inner = f"<bpmn:conditionExpression><![CDATA[{condition}]]></bpmn:conditionExpression>" if condition else ""
    return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">{inner}</bpmn:sequenceFlow>'


def node(kind: str, element: str, **attributes: str) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attributes.items())
    return f'<bpmn:{kind} id="{element}"{extra}/>'


def crafted(*parts: str, steps: tuple[str, ...] = ()) -> ProcessBundle:
    """A one-lane process of ``parts`` (elements and flows); ``steps`` are the user tasks."""
    return bundle(document("\n".join(parts), {"staff": list(steps)} if steps else None))


def credit_claim_unit_review_2() -> bytes:
    return (HERE / "credit_claim_unit_review_2.bpmn").read_bytes()


def edited(name: str, *replacements: tuple[str, str]) -> bytes:
    """A shipped diagram with text replaced (each replacement must apply exactly once)."""
    text = shipped(name).decode("utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text.encode("utf-8")


def without(content: bytes, *elements: str) -> bytes:
    """``content`` without ``elements``, the flows that touch them and every reference to them."""
    root = etree.fromstring(content)
    gone = set(elements)
    for flow_node in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        if flow_node.get("sourceRef") in gone or flow_node.get("targetRef") in gone:
            gone.add(flow_node.get("id"))
    for item in list(root.iter()):
        refers = (item.text or "").strip() in gone and etree.QName(item).localname in {"flowNodeRef", "incoming",
                                                                                        "outgoing"}
        if item.get("id") in gone or item.get("bpmnElement") in gone or refers:
            item.getparent().remove(item)
    for gateway in root.iter():
        if gateway.get("default") in gone:
            del gateway.attrib["default"]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
