"""What changed between two versions of a diagram, element by element.

Elements and flows are matched by id (the modeler keeps ids when it edits, and this product's
diagrams name them). For an element present in both, ``changed`` lists which of its aspects
differ: ``name``, ``kind``, ``lane``, each extension property key (``status``, ``decisions``,
``form``, ``due``…), ``handler`` (a service task's operation), ``incoming`` and ``outgoing`` (the
elements it connects to), ``conditions`` (of its outgoing flows, the default included),
``messages`` (that it, or an event attached to it, waits for), ``timer``, ``event`` (other event
definitions, e.g. terminate), ``attached_to`` (a boundary event's task and whether it interrupts)
and ``boundaries`` (the events attached to a task). ``affects`` turns that into the waiting
steps of running instances it concerns.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .elements import DiagramModel
from .specs import ProcessBundle

DEFAULT_FLOW = "(default)"


@dataclass(frozen=True)
class ElementRef:
    element: str
    name: str
    kind: str

    def as_dict(self) -> dict[str, str]:
        return {"element": self.element, "name": self.name, "kind": self.kind}


@dataclass(frozen=True)
class FlowRef:
    flow: str
    source: str
    target: str
    condition: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {"flow": self.flow, "source": self.source, "target": self.target, "condition": self.condition}


def _facts(model: DiagramModel, element: str) -> dict[str, Any]:
    """Every aspect of ``element`` the diff compares, as comparable plain values."""
    graph = model.bundle.graph
    default = graph.defaults.get(element)
    definitions = graph.events.get(element, ())
    facts: dict[str, Any] = {
        "name": model.name(element),
        "kind": model.kind(element),
        "lane": model.lane(element),
        "handler": graph.operators.get(element),
        "incoming": sorted({f.source for f in model.incoming.get(element, ())}),
        "outgoing": sorted({f.target for f in model.outgoing.get(element, ())}),
        "conditions": sorted([f.target, DEFAULT_FLOW if f.id == default else (f.condition or "")]
                             for f in model.outgoing.get(element, ())),
        "messages": sorted({d for k, d in definitions if k == "message" and d} | graph.messages_for(element)),
        "timer": [d for k, d in definitions if k == "timer"],
        "event": [k for k, _ in definitions if k not in {"message", "timer"}],
        "attached_to": list(graph.attached[element]) if element in graph.attached else None,
        "boundaries": sorted(model.boundaries.get(element, ())),
    }
    facts.update(model.properties(element))
    return facts


def _aspects(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {key: (old.get(key), new.get(key)) for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)}


def _flow_facts(model: DiagramModel, flow_id: str) -> dict[str, Any]:
    flow = model.flows[flow_id]
    return {"source": flow.source, "target": flow.target, "condition": flow.condition,
            "default": model.bundle.graph.defaults.get(flow.source) == flow_id}


@dataclass(frozen=True)
class BundleDiff:
    """Two versions of a diagram compared (``diff_bundles``)."""

    old_process: str
    new_process: str
    added: tuple[ElementRef, ...]
    removed: tuple[ElementRef, ...]  # elements only the old diagram has
    changed: dict[str, tuple[str, ...]]  # element id -> the aspects that differ, sorted
    changes: dict[str, dict[str, tuple[Any, Any]]]  # element id -> aspect -> (old value, new value)
    flows_added: tuple[FlowRef, ...]
    flows_removed: tuple[FlowRef, ...]
    flows_changed: dict[str, tuple[str, ...]]  # flow id -> "source", "target", "condition", "default"
    _old_successors: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _new_successors: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.flows_added or self.flows_removed
                    or self.flows_changed)

    def marks(self) -> dict[str, str]:
        """Element and flow id -> ``"added"``, ``"removed"`` or ``"changed"``.

        Removed ids exist only in the old diagram: colour them there (or list them); the new
        diagram has no shape to colour.
        """
        found: dict[str, str] = {}
        for ref in self.added:
            found[ref.element] = "added"
        for ref in self.removed:
            found[ref.element] = "removed"
        for element in self.changed:
            found[element] = "changed"
        found.update({f.flow: "added" for f in self.flows_added})
        found.update({f.flow: "removed" for f in self.flows_removed})
        found.update({f: "changed" for f in self.flows_changed})
        return found

    def affects(self, task_specs: Iterable[str], *, ahead: bool = False) -> list[str]:
        """Of an instance's waiting task specs, those removed or changed, in the order given.

        With ``ahead``, also those from which the path leads to an element added, removed or
        changed (the step itself is intact, but what follows it is not what it was).
        """
        touched = {r.element for r in self.removed} | set(self.changed)
        found: list[str] = []
        for spec in dict.fromkeys(task_specs):
            if spec in touched or (ahead and self._leads_to_change(spec)):
                found.append(spec)
        return found

    def _leads_to_change(self, element: str) -> bool:
        touched = {r.element for r in self.added} | {r.element for r in self.removed} | set(self.changed)
        for successors in (self._old_successors, self._new_successors):
            seen: set[str] = set()
            todo = list(successors.get(element, ()))
            while todo:
                here = todo.pop()
                if here in touched:
                    return True
                if here not in seen:
                    seen.add(here)
                    todo.extend(successors.get(here, ()))
        return False

    def as_dict(self) -> dict[str, Any]:
        return {
            "old_process": self.old_process,
            "new_process": self.new_process,
            "added": [r.as_dict() for r in self.added],
            "removed": [r.as_dict() for r in self.removed],
            "changed": {e: list(a) for e, a in self.changed.items()},
            "changes": {e: {a: {"old": o, "new": n} for a, (o, n) in aspects.items()}
                        for e, aspects in self.changes.items()},
            "flows_added": [f.as_dict() for f in self.flows_added],
            "flows_removed": [f.as_dict() for f in self.flows_removed],
            "flows_changed": {f: list(a) for f, a in self.flows_changed.items()},
            "marks": self.marks(),
        }


def _ref(model: DiagramModel, element: str) -> ElementRef:
    return ElementRef(element, model.name(element), model.kind(element))


def _flow_ref(model: DiagramModel, flow_id: str) -> FlowRef:
    flow = model.flows[flow_id]
    return FlowRef(flow.id, flow.source, flow.target, flow.condition)


def diff_bundles(old: ProcessBundle, new: ProcessBundle) -> BundleDiff:
    """Compare two parsed diagrams by element and flow id."""
    before, after = DiagramModel(old), DiagramModel(new)
    changes: dict[str, dict[str, tuple[Any, Any]]] = {}
    for element in before.kinds:
        if element in after.kinds:
            aspects = _aspects(_facts(before, element), _facts(after, element))
            if aspects:
                changes[element] = aspects
    flows_changed: dict[str, tuple[str, ...]] = {}
    for flow_id in before.flows:
        if flow_id in after.flows:
            aspects = _aspects(_flow_facts(before, flow_id), _flow_facts(after, flow_id))
            if aspects:
                flows_changed[flow_id] = tuple(aspects)
    return BundleDiff(
        old_process=old.process_id,
        new_process=new.process_id,
        added=tuple(_ref(after, e) for e in after.kinds if e not in before.kinds),
        removed=tuple(_ref(before, e) for e in before.kinds if e not in after.kinds),
        changed={e: tuple(a) for e, a in changes.items()},
        changes=changes,
        flows_added=tuple(_flow_ref(after, f) for f in after.flows if f not in before.flows),
        flows_removed=tuple(_flow_ref(before, f) for f in before.flows if f not in after.flows),
        flows_changed=flows_changed,
        _old_successors={e: tuple(before.successors(e)) for e in before.kinds},
        _new_successors={e: tuple(after.successors(e)) for e in after.kinds},
    )
