"""Load-time checks on a BPMN diagram, before SpiffWorkflow ever sees it.

The check is a whitelist over the XML: only the BPMN elements this product
models with are accepted (no script tasks, business rules, call activities or
vendor extensions), only the Spiff extensions it reads (properties and
service-task operators), only property names it understands, only service
operations the host registered, and every expression must compile in the
sandbox. Every problem is reported, each naming its element id.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Iterator

from lxml import etree

from .errors import DiagramError, SandboxViolation
from .sandbox import compile_expression

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
LAYOUT_NAMESPACES = frozenset({
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
    "http://bpmn.io/schema/bpmn/biocolor/1.0",
    "http://www.omg.org/spec/BPMN/non-normative/color/1.0",
})

ALLOWED_BPMN = frozenset({
    "definitions", "collaboration", "participant", "message", "signal", "process",
    "laneSet", "lane", "flowNodeRef", "childLaneSet", "documentation", "extensionElements",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "messageEventDefinition", "signalEventDefinition",
    "timerEventDefinition", "terminateEventDefinition", "timeDate", "timeDuration",
    "timeCycle", "userTask", "manualTask", "serviceTask", "task", "subProcess",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
    "sequenceFlow", "conditionExpression", "incoming", "outgoing", "textAnnotation",
    "text", "association", "group", "category", "categoryValue", "messageFlow",
})
ALLOWED_SPIFF = frozenset({
    "properties", "property", "serviceTaskOperator", "parameters", "parameter",
    "instructionsForEndUser",
})
EXPRESSION_ELEMENTS = frozenset({"conditionExpression", "timeDate", "timeDuration", "timeCycle"})

# Property values are data, never evaluated; still, each name has a shape.
PROPERTY_RULES: dict[str, re.Pattern[str]] = {
    "status": re.compile(r"^[a-z][a-z0-9_]{0,39}$"),
    # Words in any script, digits, spaces and a little punctuation: no quotes, dots,
    # underscores or brackets, so nothing shaped like code passes as a label.
    "status_label": re.compile(r"^(?=.{1,40}$)[^\W_](?:[^\W_]|[ \-·、，,：:（）/])*$"),
    "decisions": re.compile(r"^[a-z_]+(,[a-z_]+)*$"),
    "comment_required": re.compile(r"^([a-z_]+(,[a-z_]+)*)?$"),
    "action": re.compile(r"^[a-z][a-z0-9_]{0,39}$"),
    # The step's input form, by the name its process plug-in gives it.
    "form": re.compile(r"^[a-z][a-z0-9_]{0,39}$"),
    # How long the step may take, an ISO 8601 period (P15D, PT48H, P1M).
    "due": re.compile(r"^P(?!$)(\d{1,4}Y)?(\d{1,4}M)?(\d{1,4}W)?(\d{1,4}D)?"
                      r"(T(?=\d)(\d{1,4}H)?(\d{1,4}M)?(\d{1,4}S)?)?$"),
    # Whether the record may still be edited while this step waits (the applicant's own steps).
    "editable": re.compile(r"^(true|false)$"),
    # Versions deployed before step forms named their hours input this way; still read.
    "hours": re.compile(r"^(reviewed|registered)$"),
}
# Several waiting steps show their labels joined by this; a label may not contain it.
LABEL_SEPARATOR = " / "
LANED_ELEMENTS = frozenset({"userTask", "manualTask"})


def _local(tag: str) -> tuple[str, str]:
    qname = etree.QName(tag)
    return qname.namespace or "", qname.localname


def _owner_id(node: etree._Element) -> str:
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return "?"


def parse_xml(content: bytes) -> etree._Element:
    """Parse untrusted XML without entities, DTDs or network access."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, dtd_validation=False,
                             load_dtd=False, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DiagramError([f"not well-formed XML: {exc}"]) from None
    if _local(root.tag) != (BPMN_NS, "definitions"):
        raise DiagramError(["the root element must be bpmn:definitions"])
    return root


def _element_problems(root: etree._Element, services: Collection[str]) -> Iterator[str]:
    for node in root.iter(etree.Element):
        ns, name = _local(node.tag)
        where = _owner_id(node)
        if ns in LAYOUT_NAMESPACES:
            continue
        if ns == BPMN_NS:
            if name not in ALLOWED_BPMN:
                yield (f"{where}: bpmn:{name} is not supported (allowed: user, manual and service tasks, "
                       "events, gateways, sub-processes)")
            elif name in EXPRESSION_ELEMENTS:
                yield from _expression_problem(where, node.text or "")
        elif ns == SPIFF_NS:
            if name not in ALLOWED_SPIFF:
                yield f"{where}: spiffworkflow:{name} is not allowed (scripts are disabled)"
            elif name == "property":
                yield from _property_problem(where, node.get("name", ""), node.get("value", ""))
            elif name == "serviceTaskOperator" and node.get("id") not in services:
                yield f"{where}: service operation {node.get('id')!r} is not registered"
            elif name == "parameter" and node.get("value") is not None:
                yield from _expression_problem(where, node.get("value"))
        else:
            yield f"{where}: extension element {{{ns}}}{name} is not allowed"


def _expression_problem(where: str, expression: str) -> Iterator[str]:
    try:
        compile_expression(expression)
    except SandboxViolation as exc:
        yield f"{where}: expression {expression.strip()[:80]!r} refused: {exc}"


def _property_problem(where: str, name: str, value: str) -> Iterator[str]:
    rule = PROPERTY_RULES.get(name)
    if rule is None:
        yield f"{where}: unknown property {name!r} (known: {', '.join(sorted(PROPERTY_RULES))})"
    elif not rule.match(value) or (name == "status_label" and LABEL_SEPARATOR in value):
        yield f"{where}: property {name}={value!r} is malformed"


def _lane_problems(root: etree._Element) -> Iterator[str]:
    in_lane = {ref.text.strip() for ref in root.iter(f"{{{BPMN_NS}}}flowNodeRef") if ref.text}
    for node in root.iter(*(f"{{{BPMN_NS}}}{name}" for name in LANED_ELEMENTS)):
        if node.get("id") not in in_lane:
            yield f"{node.get('id')}: every user task must sit in a lane (the lane names who may act)"


def check_diagram(content: bytes, services: Collection[str] = ()) -> etree._Element:
    """Return the parsed XML root, or raise DiagramError listing every problem."""
    root = parse_xml(content)
    problems = list(_element_problems(root, services))
    problems.extend(_lane_problems(root))
    if problems:
        raise DiagramError(problems)
    return root
