"""What ``simulate`` reports: plain frozen data, JSON-ready through ``as_dict``.

``problems()`` gives one English sentence per finding (the app translates or wraps them);
``marks()`` gives a colour class per element and flow for the diagram.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Colour classes of ``Simulation.marks``; when an element has several, the worst (last) wins.
MARKS = ("reached", "end", "unreached", "loop", "dead_end")


def _after(env: Mapping[str, str]) -> str:
    if not env:
        return "before any decision"
    return "after " + ", ".join(f"{step}={value}" for step, value in env.items())


@dataclass(frozen=True)
class EndReached:
    element: str
    name: str
    status: str | None
    status_label: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"element": self.element, "name": self.name, "status": self.status,
                "status_label": self.status_label}


@dataclass(frozen=True)
class DeadEnd:
    """A token stops at ``element`` without reaching an end event, after these decisions."""

    element: str
    name: str
    reason: str
    after: tuple[dict[str, str], ...]  # decision environments that led here, by step (a few)

    def as_dict(self) -> dict[str, Any]:
        return {"element": self.element, "name": self.name, "reason": self.reason,
                "after": [dict(env) for env in self.after]}

    def problem(self) -> str:
        more = len(self.after) - 1
        extra = f" (and {more} other combination{'s' if more > 1 else ''} of decisions)" if more > 0 else ""
        first = self.after[0] if self.after else {}
        return f"{self.element} ({self.name}): a path stops here {_after(first)}{extra}: {self.reason}"


@dataclass(frozen=True)
class DeadDecision:
    """After completing ``task`` with ``decision`` no flow can be taken."""

    task: str
    name: str
    decision: str
    after: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {"task": self.task, "name": self.name, "decision": self.decision, "after": dict(self.after)}

    def problem(self) -> str:
        earlier = {k: v for k, v in self.after.items() if k != self.task}
        when = f" ({_after(earlier)})" if earlier else ""
        return f"{self.task} ({self.name}): decision {self.decision!r} leads nowhere{when}: no flow can be taken"


@dataclass(frozen=True)
class EndlessLoop:
    """Elements a path can enter but never leave for an end event."""

    elements: tuple[str, ...]
    names: tuple[str, ...]
    after: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {"elements": list(self.elements), "names": list(self.names), "after": dict(self.after)}

    def problem(self) -> str:
        listed = ", ".join(f"{e} ({n})" for e, n in zip(self.elements, self.names, strict=True))
        return f"loop with no way out: {listed}; once a path enters it, no end event can be reached"


@dataclass(frozen=True)
class Simulation:
    """Every path of one diagram, walked (see ``workflows.simulation``)."""

    process_id: str
    ends: tuple[EndReached, ...]  # end events reached, in the diagram's order
    statuses: tuple[str, ...]  # status values reachable (steps, catch events, ends), first reached first
    reached: tuple[str, ...]  # drawn elements reached
    unreached: tuple[str, ...]  # drawn elements never reached
    untaken_flows: tuple[str, ...]  # sequence flows never taken
    dead_ends: tuple[DeadEnd, ...]
    dead_decisions: tuple[DeadDecision, ...]
    endless_loops: tuple[EndlessLoop, ...]
    unsupported: tuple[str, ...]  # elements not simulated (sub-processes and what they hold, …)
    inner: tuple[str, ...]  # elements inside a sub-process (not simulated, so never reached)
    paths: int  # distinct end-to-end paths, each loop followed at most max_visits times
    truncated: bool  # the walk stopped at max_states: later states were not explored
    states: int
    bounded: int  # paths cut by max_visits (loops followed further are not walked)
    max_visits: int
    names: dict[str, str] = field(default_factory=dict)  # element id -> its name
    kinds: dict[str, str] = field(default_factory=dict)  # element id -> BPMN element name

    @property
    def ok(self) -> bool:
        """Nothing to report: every element reached, no dead end, no dead decision, no endless loop."""
        return not self.problems()

    def marks(self) -> dict[str, str]:
        """Element (and flow) id -> one of MARKS, the worst when several apply.

        Flows are marked ``reached`` or ``unreached`` only.
        """
        found: dict[str, str] = {}

        def mark(element: str, value: str) -> None:
            if MARKS.index(value) >= MARKS.index(found.get(element, "reached")):
                found[element] = value

        for element in self.reached:
            mark(element, "reached")
        for element in self.unreached:
            mark(element, "unreached")
        for end in self.ends:
            mark(end.element, "end")
        for loop in self.endless_loops:
            for element in loop.elements:
                mark(element, "loop")
        for dead in self.dead_ends:
            mark(dead.element, "dead_end")
        flows = {f: "unreached" for f in self.untaken_flows}
        return {**found, **flows}

    def problems(self) -> list[str]:
        """One English sentence per finding."""
        found: list[str] = []
        if self.truncated:
            found.append(f"the simulation stopped after {self.states} states; paths beyond them were not walked")
        inner = set(self.inner)
        for element in self.unsupported:
            if element not in inner:
                found.append(f"{element} ({self.names.get(element, element)}): "
                             f"{self.kinds.get(element, 'this element')} is not simulated; paths pass through it")
        found.extend(d.problem() for d in self.dead_ends)
        found.extend(d.problem() for d in self.dead_decisions)
        found.extend(loop.problem() for loop in self.endless_loops)
        found.extend(f"{e} ({self.names.get(e, e)}): no path reaches it" for e in self.unreached if e not in inner)
        return found

    def as_dict(self) -> dict[str, Any]:
        return {
            "process_id": self.process_id,
            "ends": [e.as_dict() for e in self.ends],
            "statuses": list(self.statuses),
            "reached": list(self.reached),
            "unreached": list(self.unreached),
            "untaken_flows": list(self.untaken_flows),
            "dead_ends": [d.as_dict() for d in self.dead_ends],
            "dead_decisions": [d.as_dict() for d in self.dead_decisions],
            "endless_loops": [loop.as_dict() for loop in self.endless_loops],
            "unsupported": list(self.unsupported),
            "inner": list(self.inner),
            "paths": self.paths,
            "truncated": self.truncated,
            "states": self.states,
            "bounded": self.bounded,
            "max_visits": self.max_visits,
            "marks": self.marks(),
            "problems": self.problems(),
        }
