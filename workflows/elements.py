"""The drawn elements of a parsed diagram, indexed for walking its paths.

``ProcessGraph`` holds the diagram as lists; the simulation and the diff ask the same questions
of it many times (what leaves this element, what is attached to this task, which message does
this event wait for, is this element on a loop), so ``DiagramModel`` answers them from indexes
built once. Nothing here runs the engine.
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from .analysis import DECISION, decision_key
from .specs import Flow, ProcessBundle

# BPMN flow nodes: what a token can sit at or pass through (lanes, definitions… are not).
FLOW_NODES = frozenset({
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "userTask", "manualTask", "task", "serviceTask", "scriptTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway", "complexGateway",
})
# Steps a person completes (a plain bpmn:task is one too: the engine makes it manual).
MANUAL = frozenset({"userTask", "manualTask", "task"})
# Elements the simulation passes through without waiting.
PASS_THROUGH = frozenset({"serviceTask", "scriptTask", "intermediateThrowEvent", "startEvent"})
GATEWAYS = frozenset({"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway"})
SIMULATED = MANUAL | PASS_THROUGH | GATEWAYS | {"endEvent", "intermediateCatchEvent", "boundaryEvent"}

Node = TypeVar("Node", bound=Hashable)


def strongly_connected(nodes: Iterable[Node], successors: Callable[[Node], Iterable[Node]]) -> list[list[Node]]:
    """Tarjan's strongly connected components, iteratively (diagrams and state graphs can be deep)."""
    index: dict[Node, int] = {}
    low: dict[Node, int] = {}
    on_stack: set[Node] = set()
    stack: list[Node] = []
    components: list[list[Node]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(successors(root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors(child))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


@dataclass(frozen=True, eq=False)
class DiagramModel:
    """Indexes over one bundle's drawn elements and flows."""

    bundle: ProcessBundle

    @cached_property
    def kinds(self) -> dict[str, str]:
        """Flow node id -> BPMN element name, in the diagram's order."""
        return {e: k for e, k in self.bundle.graph.kinds.items() if k in FLOW_NODES}

    @cached_property
    def flows(self) -> dict[str, Flow]:
        return {f.id: f for f in self.bundle.graph.flows}

    @cached_property
    def order(self) -> dict[str, int]:
        """Every element and flow id -> its position in the document (a stable order)."""
        return {e: i for i, e in enumerate([*self.kinds, *self.flows])}

    def _flows_by(self, end: Callable[[Flow], str]) -> dict[str, tuple[Flow, ...]]:
        found: dict[str, list[Flow]] = {e: [] for e in self.kinds}
        for flow in self.bundle.graph.flows:
            found.setdefault(end(flow), []).append(flow)
        return {e: tuple(fs) for e, fs in found.items()}

    @cached_property
    def outgoing(self) -> dict[str, tuple[Flow, ...]]:
        return self._flows_by(lambda f: f.source)

    @cached_property
    def incoming(self) -> dict[str, tuple[Flow, ...]]:
        return self._flows_by(lambda f: f.target)

    @cached_property
    def boundaries(self) -> dict[str, tuple[str, ...]]:
        """Task id -> the boundary events attached to it."""
        found: dict[str, list[str]] = {}
        for event, (task, _) in self.bundle.graph.attached.items():
            found.setdefault(task, []).append(event)
        return {task: tuple(events) for task, events in found.items()}

    def interrupting(self, boundary: str) -> bool:
        return self.bundle.graph.attached.get(boundary, ("", True))[1]

    def trigger(self, event: str) -> tuple[str, str | None]:
        """What an event waits for or does: ``("message", name)``, ``("timer", expression)``,
        ``("terminate", None)``…; ``("none", None)`` for a plain event."""
        definitions = self.bundle.graph.events.get(event)
        return definitions[0] if definitions else ("none", None)

    def kind(self, element: str) -> str:
        return self.kinds.get(element, "")

    def name(self, element: str) -> str:
        return self.bundle.graph.names.get(element) or element

    def properties(self, element: str) -> dict[str, str]:
        return dict(self.bundle.graph.properties.get(element, {}))

    def lane(self, element: str) -> str | None:
        return self.bundle.graph.lanes.get(element)

    def decisions(self, element: str) -> tuple[str, ...]:
        """The step's declared decisions (as ``TaskInfo.decisions``)."""
        return tuple(d for d in self.properties(element).get("decisions", "").split(",") if d)

    def is_manual(self, element: str) -> bool:
        return self.kind(element) in MANUAL

    def is_waiting(self, element: str) -> bool:
        """A token stops here until a person or an event moves it."""
        return self.kind(element) in MANUAL | {"intermediateCatchEvent", "eventBasedGateway"}

    @cached_property
    def joins(self) -> dict[str, tuple[str, ...]]:
        """Gateway id -> its incoming flows, for the parallel and inclusive gateways that join."""
        return {e: tuple(f.id for f in self.incoming[e]) for e, k in self.kinds.items()
                if k in {"parallelGateway", "inclusiveGateway"} and len(self.incoming[e]) > 1}

    def is_join(self, element: str) -> bool:
        return element in self.joins

    @cached_property
    def read_names(self) -> frozenset[str]:
        """The names some condition of the diagram reads: only those decisions can change a path."""
        names: set[str] = set()
        for flow in self.bundle.graph.flows:
            try:
                tree = ast.parse((flow.condition or "").strip() or "None", mode="eval")
            except SyntaxError:
                continue
            names.update(n.id for n in ast.walk(tree) if isinstance(n, ast.Name))
        return frozenset(names)

    @cached_property
    def inner(self) -> frozenset[str]:
        """Elements inside a sub-process."""
        return frozenset(self.bundle.graph.parents)

    @cached_property
    def starts(self) -> tuple[str, ...]:
        return tuple(e for e, k in self.kinds.items() if k == "startEvent" and e not in self.inner)

    @cached_property
    def decision_keys(self) -> frozenset[str]:
        """The names a completed step writes: ``decision`` and ``<task id>_decision`` of each step."""
        return frozenset({DECISION, *(decision_key(e) for e in self.kinds if self.is_manual(e))})

    def successors(self, element: str) -> list[str]:
        """Where a token can go next: along outgoing flows, or out through an attached event."""
        return [f.target for f in self.outgoing.get(element, ())] + list(self.boundaries.get(element, ()))

    @cached_property
    def cyclic(self) -> frozenset[str]:
        """Elements on a loop of the diagram (boundary events count as ways out of their task)."""
        found: set[str] = set()
        for component in strongly_connected(self.kinds, self.successors):
            if len(component) > 1 or component[0] in self.successors(component[0]):
                found.update(component)
        return frozenset(found)

    def loop_of(self, element: str) -> frozenset[str]:
        """The elements of the diagram's loop through ``element`` (empty if it is on none)."""
        for component in strongly_connected(self.kinds, self.successors):
            if element in component:
                return frozenset(component) if element in self.cyclic else frozenset()
        return frozenset()
