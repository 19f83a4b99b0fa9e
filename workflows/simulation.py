"""Walk every path of a diagram before it is published, without running a handler or script.

``simulate(bundle)`` explores the diagram's states breadth-first (see ``exploration.py`` for the
token game and what it approximates): each waiting step is completed once per declared decision,
each message and timer that could interrupt it arrives, each condition is evaluated against the
decisions taken so far (unknown data goes both ways). States are deduplicated; a loop is followed
at most ``max_visits`` times per element per path, and the walk stops after ``max_states``
states, or ``max_seconds`` if given (``truncated``). The diagrams shipped take a few hundred
states at most; eight parallel reviews with three decisions each fill 20,000 states in seconds,
hence the time budget for callers that answer a request.

The report says which end events and statuses can be reached, which elements never are, where a
path stops without an end event, which decisions lead nowhere, and which loops have no way out.

A loop has no way out when, in the graph of states without their visit counts, a strongly
connected part reaches neither an end event nor a dead end. States whose successors exceeded the
visit bound lead to the state the engine would then be in; when that state was never explored
(``max_visits`` below 2), the loop counts as having a way out, so that no loop is reported wrongly.
"""
from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable
from typing import Any

from .analysis import DECISION, DECISION_SUFFIX
from .elements import GATEWAYS, SIMULATED, DiagramModel, strongly_connected
from .exploration import Dead, Env, Rest, Spin, State, Step, TokenGame
from .simulation_report import DeadDecision, DeadEnd, EndlessLoop, EndReached, Simulation
from .specs import ProcessBundle

__all__ = ["DeadDecision", "DeadEnd", "EndReached", "EndlessLoop", "Simulation", "simulate"]

Place = tuple[tuple[str, ...], Env]
EXIT = ("exit",)  # a node of the place graph standing for every way out (an end, a dead end)
START: Place = ((), (("", "start"),))  # the place before the start event
MAX_ENVIRONMENTS = 5  # decision environments kept per dead end


def describe_env(env: Iterable[tuple[str, str]], generic: bool = True) -> dict[str, str]:
    """The decisions of an environment by step (``{"unit_review": "reject"}``); with ``generic``,
    ``decision`` alone when no step's own key is known."""
    pairs = dict(env)
    named = {k[: -len(DECISION_SUFFIX)]: v for k, v in pairs.items() if k.endswith(DECISION_SUFFIX) and k != DECISION}
    return named or ({DECISION: pairs[DECISION]} if generic and DECISION in pairs else {})


class _Walk:
    """One exploration of a bundle's state space, and what it found."""

    def __init__(self, bundle: ProcessBundle, max_visits: int, max_states: int, max_seconds: float | None):
        self.model = DiagramModel(bundle)
        self.game = TokenGame(self.model, max_visits)
        self.max_states = max_states
        self.deadline = None if max_seconds is None else time.monotonic() + max_seconds
        self.ids: dict[State, int] = {}
        self.states: list[State] = []
        self.children: list[list[int]] = []
        self.roots: list[int] = []
        self.expanded = 0
        self.place_edges: dict[Any, dict[Any, set[str]]] = {}  # place -> next place (or EXIT) -> trail
        self.cut_places: set[Place] = set()
        self.spins: dict[Place, set[str]] = {}
        self.reached: dict[str, None] = {}
        self.statuses: dict[str, None] = {}
        self.ends: dict[str, None] = {}
        self.dead: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.dead_decisions: dict[tuple[str, str], dict[str, str]] = {}
        self.bounded = 0
        self.frontier: list[int] = []

    # -- recording -------------------------------------------------------------------
    def _see(self, trail: Iterable[str], ends: Iterable[str] = ()) -> None:
        for element in trail:
            flow = self.model.flows.get(element)
            if flow is not None and self.model.is_join(flow.target):  # a token waits at the join
                self._see((flow.target,))
            if element in self.reached:
                continue
            self.reached[element] = None
            props = self.model.properties(element)
            if "status" in props:
                self.statuses[props["status"]] = None
            if self.model.kind(element) == "eventBasedGateway":  # its events wait with it, with their statuses
                for option in self.model.outgoing[element]:
                    status = self.model.properties(option.target).get("status")
                    if status:
                        self.statuses[status] = None
        for end in ends:
            self.ends[end] = None

    def _dead_end(self, element: str, reason: str, env: Env, step: Step | None = None) -> None:
        found = self.dead.setdefault((element, reason), [])
        described = describe_env(env)
        if step is not None and step.label[0] == "complete" and step.label[2]:  # name the step just completed
            described = {k: v for k, v in described.items() if k != DECISION} | {step.label[1]: step.label[2]}
        if described not in found and len(found) < MAX_ENVIRONMENTS:
            found.append(described)

    def _edge(self, source: Place, target: Any, trail: Iterable[str]) -> None:
        self.place_edges.setdefault(source, {}).setdefault(target, set()).update(trail)

    def _state(self, state: State) -> int:
        known = self.ids.get(state)
        if known is None:
            known = self.ids[state] = len(self.states)
            self.states.append(state)
            self.children.append([])
        return known

    # -- walking ---------------------------------------------------------------------------
    def _outcome(self, source: State | None, step: Step, outcome: Rest | Dead | Spin) -> int | None:
        """Record one outcome; the id of a new state within the visit bound, if any."""
        origin = source.place if source is not None else START
        if isinstance(outcome, Spin):
            self._see(outcome.trail)
            self.spins.setdefault(origin, set()).add(outcome.element)
            return None
        if isinstance(outcome, Dead):
            self._see(outcome.trail)
            self._dead_end(outcome.element, outcome.reason, step.env, step)
            self._edge(origin, EXIT, outcome.trail)
            return None
        self._see(outcome.trail, outcome.ends)
        state, within = self.game.next_state(source or State((), (), ()), step, outcome)
        self._edge(origin, state.place, outcome.trail)
        if not within:
            self.bounded += 1
            self.cut_places.add(state.place)
            return None
        return self._state(state)

    def _leads_nowhere(self, step: Step) -> bool:
        """A decision after which no flow can be taken: the step has none, or the gateways after
        it route nowhere (a stop further on, after a flow was taken, is a dead end only)."""
        kind, task, decision = step.label
        return kind == "complete" and bool(decision) and bool(step.outcomes) and all(
            isinstance(o, Dead) and (o.element == task or self.model.kind(o.element) in GATEWAYS)
            for o in step.outcomes)

    def run(self) -> None:
        start = Step(("start", "", None), (), ())
        queue: deque[int] = deque()
        for outcome in self.game.start():
            child = self._outcome(None, start, outcome)
            if child is not None:
                self.roots.append(child)
                queue.append(child)
        seen = set(queue)
        while queue and self.expanded < self.max_states:
            if self.deadline is not None and time.monotonic() >= self.deadline:
                break
            sid = queue.popleft()
            self.expanded += 1
            state = self.states[sid]
            if not state.tokens:
                continue
            steps = list(self.game.steps(state))
            for step in steps:
                results = [self._outcome(state, step, o) for o in step.outcomes]
                for child in results:
                    if child is not None:
                        self.children[sid].append(child)
                        if child not in seen:
                            seen.add(child)
                            queue.append(child)
                if self._leads_nowhere(step):
                    _, task, decision = step.label
                    self.dead_decisions.setdefault((task, str(decision)), describe_env(state.env, generic=False))
            if not steps:  # tokens remain but nothing can move them
                for element in self.game.waits_on(state):
                    reason = ("the join waits for a branch that never arrives" if self.model.is_join(element)
                              else "it waits for nothing that can happen")
                    self._dead_end(element, reason, state.env)
                self._edge(state.place, EXIT, ())
        self.frontier = list(queue)

    # -- analysis ---------------------------------------------------------------------
    def endless_loops(self) -> list[EndlessLoop]:
        places = {s.place for s in self.states}
        exits: set[Any] = {EXIT, *(p for p in places if not p[0])}
        exits.update(self.states[sid].place for sid in self.frontier)
        exits.update(p for p in self.cut_places if p not in places)
        reverse: dict[Any, set[Any]] = {}
        for source, targets in self.place_edges.items():
            for target in targets:
                reverse.setdefault(target, set()).add(source)
        escaping = set(exits)
        todo = list(exits)
        while todo:
            for source in reverse.get(todo.pop(), ()):
                if source not in escaping:
                    escaping.add(source)
                    todo.append(source)
        trapped = [p for p in dict.fromkeys([START, *(s.place for s in self.states)]) if p not in escaping]
        inside = set(trapped)

        def successors(place: Any) -> list[Any]:
            return [t for t in self.place_edges.get(place, {}) if t in inside]

        loops: dict[frozenset[str], EndlessLoop] = {}
        for component in strongly_connected(trapped, successors):
            members = set(component)
            if len(component) == 1 and component[0] not in successors(component[0]):
                spun = self.spins.get(component[0], set())
                elements = set().union(*(self.model.loop_of(e) for e in spun)) if spun else set()
            else:
                elements = {e for p in component for t, trail in self.place_edges.get(p, {}).items()
                            if t in members for e in trail}
                elements |= {t for p in component for t in p[0]}
            elements = {e for e in elements if e in self.model.kinds and self.model.kind(e) != "endEvent"}
            if elements:
                key = frozenset(elements)
                ordered = tuple(sorted(key, key=self.model.order.__getitem__))
                loops.setdefault(key, EndlessLoop(ordered, tuple(self.model.name(e) for e in ordered),
                                                  describe_env(component[0][1])))
        return list(loops.values())

    def paths(self) -> int:
        """End-to-end paths through the graph of states (acyclic: every loop is bounded)."""
        counts: dict[int, int] = {}
        open_: set[int] = set()  # being counted: an ancestor of the state at hand
        for root in dict.fromkeys(self.roots):
            stack = [(root, False)]
            while stack:
                sid, done = stack.pop()
                if done:
                    open_.discard(sid)
                    own = 0 if self.states[sid].tokens else 1
                    counts[sid] = own + sum(counts.get(c, 0) for c in self.children[sid])
                elif sid not in counts and sid not in open_:
                    open_.add(sid)
                    stack.append((sid, True))
                    stack.extend((c, False) for c in self.children[sid] if c not in counts)
        return sum(counts.get(r, 0) for r in self.roots)

    def report(self, max_visits: int) -> Simulation:
        model = self.model
        drawn = list(model.kinds)
        unsupported = tuple(e for e in drawn if model.kind(e) not in SIMULATED or e in model.inner)
        ends = tuple(EndReached(e, model.name(e), model.properties(e).get("status"),
                                model.properties(e).get("status_label"))
                     for e in sorted(self.ends, key=model.order.__getitem__))
        return Simulation(
            process_id=model.bundle.process_id,
            ends=ends,
            statuses=tuple(self.statuses),
            reached=tuple(e for e in drawn if e in self.reached),
            unreached=tuple(e for e in drawn if e not in self.reached),
            untaken_flows=tuple(f for f in model.flows if f not in self.reached),
            dead_ends=tuple(DeadEnd(e, model.name(e), reason, tuple(envs))
                            for (e, reason), envs in sorted(self.dead.items(),
                                                            key=lambda i: model.order.get(i[0][0], 0))),
            dead_decisions=tuple(DeadDecision(t, model.name(t), d, env)
                                 for (t, d), env in self.dead_decisions.items()),
            endless_loops=tuple(self.endless_loops()),
            unsupported=unsupported,
            inner=tuple(e for e in drawn if e in model.inner),
            paths=self.paths(),
            truncated=bool(self.frontier),
            states=self.expanded,
            bounded=self.bounded,
            max_visits=max_visits,
            names={e: model.name(e) for e in drawn},
            kinds=dict(model.kinds),
        )


def simulate(bundle: ProcessBundle, *, max_visits: int = 2, max_states: int = 20000,
             max_seconds: float | None = None) -> Simulation:
    """Walk every path of ``bundle`` (see the module's docstring) and report what it found."""
    if max_visits < 1 or max_states < 1 or (max_seconds is not None and max_seconds < 0):
        raise ValueError("max_visits and max_states must be positive, max_seconds not negative")
    walk = _Walk(bundle, max_visits, max_states, max_seconds)
    walk.run()
    return walk.report(max_visits)
