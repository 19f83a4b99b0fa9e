"""Parsing BPMN into SpiffWorkflow specs, once per content hash.

A spec is immutable while workflows run, so one parsed spec per diagram
version serves every instance in this process; instance state is stored
without it (see ``engine.py``).
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from .errors import DiagramError
from .validation import BPMN_NS, SPIFF_NS, check_diagram

USER_TASK_KINDS = frozenset({"UserTask", "ManualTask"})


@dataclass(frozen=True)
class TaskInfo:
    """What the host needs to know of one task spec, without SpiffWorkflow types."""

    spec: str
    name: str
    kind: str
    lane: str | None
    properties: dict[str, str] = field(default_factory=dict)
    drawn: bool = False  # an element of the diagram (not one of the engine's helper tasks)

    @property
    def decisions(self) -> tuple[str, ...]:
        raw = self.properties.get("decisions", "")
        return tuple(d for d in raw.split(",") if d)

    @property
    def comment_required(self) -> tuple[str, ...]:
        raw = self.properties.get("comment_required", "")
        return tuple(d for d in raw.split(",") if d)

    @property
    def form(self) -> str | None:
        return self.properties.get("form") or None

    @property
    def due(self) -> str | None:
        """The ISO 8601 period the step may take (``P15D``), if the diagram gives one."""
        return self.properties.get("due") or None

    @property
    def editable(self) -> bool:
        return self.properties.get("editable") == "true"

    @property
    def is_user_task(self) -> bool:
        return self.kind in USER_TASK_KINDS


@dataclass(frozen=True)
class Flow:
    id: str
    source: str
    target: str
    condition: str | None


@dataclass(frozen=True)
class ProcessGraph:
    """The drawn elements and sequence flows, as plain data, for checks that read the paths."""

    kinds: dict[str, str]  # element id -> BPMN element name (userTask, exclusiveGateway, …)
    flows: tuple[Flow, ...]
    defaults: dict[str, str]  # gateway id -> its default flow id
    operators: dict[str, str]  # service task id -> the operation it calls
    listens: dict[str, frozenset[str]]  # task or catch event id -> the messages it waits for
    # event id -> its definitions: ("message", name), ("timer", "timeDate: <expression>"),
    # ("signal", ref), ("terminate", None)…; an event without a definition is absent
    events: dict[str, tuple[tuple[str, str | None], ...]] = field(default_factory=dict)
    attached: dict[str, tuple[str, bool]] = field(default_factory=dict)  # boundary -> (task, cancelActivity)
    parents: dict[str, str] = field(default_factory=dict)  # element inside a sub-process -> the sub-process
    # Every drawn element's name, extension properties and lane, also those no path reaches (the
    # engine's spec, and so ``ProcessBundle.tasks``, holds only what a path from a start reaches).
    names: dict[str, str] = field(default_factory=dict)
    properties: dict[str, dict[str, str]] = field(default_factory=dict)
    lanes: dict[str, str] = field(default_factory=dict)

    def messages_for(self, element: str) -> frozenset[str]:
        return self.listens.get(element, frozenset())

    @classmethod
    def empty(cls) -> ProcessGraph:
        return cls({}, (), {}, {}, {})

    def outgoing(self, element: str) -> list[Flow]:
        return [f for f in self.flows if f.source == element]

    def incoming(self, element: str) -> list[Flow]:
        return [f for f in self.flows if f.target == element]


@dataclass(frozen=True)
class ProcessBundle:
    """A parsed, validated diagram: the spec plus a plain-data index of its tasks."""

    content_hash: str
    process_id: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]
    tasks: dict[str, TaskInfo]
    messages: frozenset[str]
    lanes: frozenset[str]
    graph: ProcessGraph = field(default_factory=ProcessGraph.empty)

    def task(self, spec_name: str) -> TaskInfo:
        return self.tasks[spec_name]

    def user_tasks(self) -> list[TaskInfo]:
        return [t for t in self.tasks.values() if t.is_user_task and t.drawn]

    def handlers(self) -> frozenset[str]:
        """The service operations the diagram calls."""
        return frozenset(self.graph.operators.values())


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _as_bytes(content: bytes | str) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _lanes_by_node(root: etree._Element) -> dict[str, str]:
    """Map flow-node ids to lane ids.

    SpiffWorkflow keys lanes by their display name; this product keys them by
    id (``trainee``, ``unit``, ``authority``…) so that names can be Chinese in
    the drawing while the role mapping stays stable.
    """
    lanes: dict[str, str] = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.iter(f"{{{BPMN_NS}}}flowNodeRef"):
            if ref.text:
                lanes[ref.text.strip()] = lane.get("id")
    return lanes


def _task_index(spec: Any, subprocess_specs: dict[str, Any],
                lanes: dict[str, str]) -> dict[str, TaskInfo]:
    index: dict[str, TaskInfo] = {}
    for process in [spec, *subprocess_specs.values()]:
        for name, task_spec in process.task_specs.items():
            extensions = getattr(task_spec, "extensions", None) or {}
            index[name] = TaskInfo(
                spec=name,
                name=getattr(task_spec, "bpmn_name", None) or name,
                kind=type(task_spec).__name__,
                lane=lanes.get(name),
                properties=dict(extensions.get("properties") or {}),
                drawn=bool(getattr(task_spec, "bpmn_id", None)),
            )
    return index


def _messages(spec: Any, subprocess_specs: dict[str, Any]) -> frozenset[str]:
    names = set()
    for process in [spec, *subprocess_specs.values()]:
        for task_spec in process.task_specs.values():
            if isinstance(task_spec, CatchingEvent):
                # an event-based gateway holds its branches' definitions (its catch events hold none)
                definitions = getattr(task_spec.event_definition, "event_definitions", [task_spec.event_definition])
                names.update(d.name for d in definitions if type(d).__name__ == "MessageEventDefinition")
    return frozenset(names)


_NAMESPACES = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
_PROPERTIES = "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"


def _event_definitions(node: etree._Element, message_names: dict[str, str]) -> tuple[tuple[str, str | None], ...]:
    found: list[tuple[str, str | None]] = []
    for child in node:
        qname = etree.QName(child)
        if qname.namespace != BPMN_NS or not qname.localname.endswith("EventDefinition"):
            continue
        kind = qname.localname[: -len("EventDefinition")]
        if kind == "message":
            detail = message_names.get(child.get("messageRef")) or child.get("messageRef")
        elif kind == "timer":
            detail = next((f"{etree.QName(e).localname}: {' '.join((e.text or '').split())}"
                           for e in child if isinstance(e.tag, str)), None)
        else:
            detail = child.get("signalRef") or child.get("errorRef")
        found.append((kind, detail))
    return tuple(found)


def _enclosing_subprocess(node: etree._Element) -> str | None:
    for ancestor in node.iterancestors(f"{{{BPMN_NS}}}subProcess"):
        return ancestor.get("id")
    return None


def _graph(root: etree._Element) -> ProcessGraph:
    kinds: dict[str, str] = {}
    flows: list[Flow] = []
    defaults: dict[str, str] = {}
    operators: dict[str, str] = {}
    message_names = {m.get("id"): m.get("name") for m in root.iter(f"{{{BPMN_NS}}}message")}
    listens: dict[str, set[str]] = {}
    events: dict[str, tuple[tuple[str, str | None], ...]] = {}
    attached: dict[str, tuple[str, bool]] = {}
    parents: dict[str, str] = {}
    names: dict[str, str] = {}
    properties: dict[str, dict[str, str]] = {}
    for boundary in root.iter(f"{{{BPMN_NS}}}boundaryEvent"):
        for definition in boundary.iter(f"{{{BPMN_NS}}}messageEventDefinition"):
            name = message_names.get(definition.get("messageRef"))
            if name:
                listens.setdefault(boundary.get("attachedToRef"), set()).add(name)
    for catch in root.iter(f"{{{BPMN_NS}}}intermediateCatchEvent"):  # waits after an event-based gateway
        for definition in catch.iter(f"{{{BPMN_NS}}}messageEventDefinition"):
            name = message_names.get(definition.get("messageRef"))
            if name:
                listens.setdefault(catch.get("id"), set()).add(name)
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        for node in process.iter(etree.Element):
            qname = etree.QName(node)
            if qname.namespace == SPIFF_NS and qname.localname == "serviceTaskOperator":
                task = node.getparent().getparent()  # serviceTask > extensionElements > operator
                operators[task.get("id")] = node.get("id")
            if qname.namespace != BPMN_NS or not node.get("id"):
                continue
            if qname.localname == "sequenceFlow":
                condition = node.find(f"{{{BPMN_NS}}}conditionExpression")
                text = (condition.text or "").strip() if condition is not None else ""
                flows.append(Flow(node.get("id"), node.get("sourceRef"), node.get("targetRef"), text or None))
            else:
                kinds[node.get("id")] = qname.localname
                if node.get("default"):
                    defaults[node.get("id")] = node.get("default")
                if qname.localname.endswith("Event"):
                    definitions = _event_definitions(node, message_names)
                    if definitions:
                        events[node.get("id")] = definitions
                if qname.localname == "boundaryEvent":
                    attached[node.get("id")] = (node.get("attachedToRef"), node.get("cancelActivity") != "false")
                parent = _enclosing_subprocess(node)
                if parent is not None:
                    parents[node.get("id")] = parent
                if node.get("name"):
                    names[node.get("id")] = node.get("name")
                found = {p.get("name"): p.get("value", "") for p in node.iterfind(_PROPERTIES, _NAMESPACES)}
                if found:
                    properties[node.get("id")] = found
    return ProcessGraph(kinds, tuple(flows), defaults, operators,
                        {task: frozenset(names) for task, names in listens.items()}, events, attached, parents,
                        names, properties, _lanes_by_node(root))


def _main_process_id(root: etree._Element) -> str:
    executable = [p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")
                  if p.get("isExecutable", "true") != "false"]
    if len(executable) != 1:
        raise DiagramError([f"expected exactly one executable process, found {len(executable)}"])
    return executable[0]


def parse_bundle(content: bytes | str, services: Collection[str] = ()) -> ProcessBundle:
    """Validate and parse ``content``; raise DiagramError on any problem."""
    raw = _as_bytes(content)
    root = check_diagram(raw, services)
    process_id = _main_process_id(root)
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(etree.ElementTree(root), filename=f"{process_id}.bpmn")
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise DiagramError([str(exc)]) from None
    except Exception as exc:  # the parser raises bare exceptions on some malformed input
        raise DiagramError([f"{type(exc).__name__}: {exc}"]) from None
    tasks = _task_index(spec, subprocess_specs, _lanes_by_node(root))
    return ProcessBundle(
        content_hash=content_hash(raw),
        process_id=process_id,
        name=spec.description or process_id,
        spec=spec,
        subprocess_specs=subprocess_specs,
        tasks=tasks,
        messages=_messages(spec, subprocess_specs),
        lanes=frozenset(t.lane for t in tasks.values() if t.lane),
        graph=_graph(root),
    )


class SpecCache:
    """Parsed bundles keyed by content hash; safe to share between threads."""

    def __init__(self, services: Collection[str] = ()):
        self._services = frozenset(services)
        self._bundles: dict[str, ProcessBundle] = {}
        self._lock = threading.Lock()

    def get(self, content: bytes | str, known_hash: str | None = None) -> ProcessBundle:
        raw = _as_bytes(content)
        key = known_hash or content_hash(raw)
        bundle = self._bundles.get(key)
        if bundle is None:
            bundle = parse_bundle(raw, self._services)
            if known_hash is not None and bundle.content_hash != known_hash:
                raise DiagramError(["stored diagram does not match its content hash"])
            with self._lock:
                bundle = self._bundles.setdefault(bundle.content_hash, bundle)
        return bundle

    def __len__(self) -> int:
        return len(self._bundles)
