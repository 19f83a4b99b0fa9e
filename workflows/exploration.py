"""The token game behind ``simulate``: from one resting state of a diagram to the next.

A state is where every token rests (a step waiting for a person, an event waiting to happen, a
token parked before a join), the decisions taken so far, and how often each element on a loop of
the diagram was entered. A *step* comes from outside: a person completes a waiting step with one
of its declared decisions, a message arrives (every event waiting for it catches it, as in the
engine), a timer (or another event) fires. The engine's own moves follow (``settle``): gateways
route, service tasks pass, joins wait, until every token rests again. A condition that names data
the simulation cannot know gives several outcomes.

A decision no condition of the diagram reads is not kept in the state: it cannot change a path,
and two paths that differ only there meet again.

What this approximates, knowingly:

- the engine's moves run one token at a time in the order of the flows in the document; the
  engine's order may differ, which matters only when a terminate end event ends other branches;
- parallel branches share one decision environment (the engine keeps each branch's data apart
  until they join; a step's own ``<task id>_decision`` is the same in both views);
- an inclusive join fires once no other token can still reach one of its incoming flows that has
  no token (SpiffWorkflow walks back from the missing inputs over the spec, and may fire earlier
  when a token could reach an input that already arrived as well);
- an inclusive split over more than four unknown conditions tries none, each alone, and all;
- a non-interrupting boundary event may fire up to ``max_visits`` times while its step waits
  (the engine fires a non-interrupting timer once, a cycle timer once per period);
- a condition on data a service task wrote is unknown, like any data the simulation cannot know;
- sub-processes and elements the product does not model are passed through (the report says so).
"""
from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from .analysis import decision_data
from .conditions import Truth, Unset, evaluate_condition
from .elements import DiagramModel
from .specs import Flow

Env = tuple[tuple[str, str], ...]
Option = tuple[str, ...] | str  # the flows a token leaves by, or why it cannot leave
MAX_UNKNOWN_SUBSETS = 4


@dataclass(frozen=True)
class State:
    tokens: tuple[str, ...]  # sorted: waiting element ids, and flow ids parked before a join
    env: Env
    visits: tuple[tuple[str, int], ...]

    @property
    def place(self) -> tuple[tuple[str, ...], Env]:
        """The state without its visit counts: what the engine would see."""
        return self.tokens, self.env


@dataclass(frozen=True)
class Rest:
    """Every token rests again."""

    tokens: tuple[str, ...]
    trail: tuple[str, ...]  # elements and flows entered, in order
    ends: tuple[str, ...]  # end events reached
    rested: tuple[str, ...]  # waiting elements entered


@dataclass(frozen=True)
class Dead:
    """A token stopped at ``element`` without reaching an end event."""

    element: str
    reason: str
    trail: tuple[str, ...]


@dataclass(frozen=True)
class Spin:
    """The engine's own moves went round a loop with nothing to wait for."""

    element: str
    trail: tuple[str, ...]


Outcome = Rest | Dead | Spin


@dataclass(frozen=True)
class Step:
    label: tuple[str, str, str | None]  # ("complete", task, decision), ("message", name, None), ("event", id, None)
    env: Env
    outcomes: tuple[Outcome, ...]
    fired: tuple[str, ...] = ()  # non-interrupting boundary events that fired


def _without(tokens: tuple[str, ...], token: str) -> tuple[str, ...]:
    index = tokens.index(token)
    return tokens[:index] + tokens[index + 1:]


class TokenGame:
    def __init__(self, model: DiagramModel, max_visits: int):
        self.model = model
        self.max_visits = max_visits
        self._reach = lru_cache(maxsize=None)(self._reachable)

    # -- leaving an element ----------------------------------------------------
    def leave(self, element: str, env: Mapping[str, str]) -> list[Option]:
        """The ways a token leaves ``element`` given the decisions in ``env``."""
        flows = self.model.outgoing.get(element, ())
        if not flows:
            return ["it has no outgoing flow"]
        kind = self.model.kind(element)
        if kind == "parallelGateway":
            return [tuple(f.id for f in flows)]
        if kind == "exclusiveGateway":
            return self._exclusive(element, env)
        return self._inclusive(element, env)

    def _judged(self, element: str, env: Mapping[str, str]) -> Iterator[tuple[Flow, Truth | str]]:
        """Each flow but the default with its condition's value, in order; after a condition the
        engine would fail on, why (and nothing more: the engine stops there)."""
        default = self.model.bundle.graph.defaults.get(element)
        for flow in self.model.outgoing[element]:
            if flow.id == default:
                continue
            try:
                yield flow, evaluate_condition(flow.condition, env, self.model.decision_keys)
            except Unset as exc:
                yield flow, f"flow {flow.id} reads {exc.name}, which no step has set on this path"
                return

    def _exclusive(self, gateway: str, env: Mapping[str, str]) -> list[Option]:
        """The engine takes the first flow whose condition holds, else the default flow."""
        default = self.model.bundle.graph.defaults.get(gateway)
        options: list[Option] = []
        unknown = False
        for flow, truth in self._judged(gateway, env):
            if isinstance(truth, str):
                return [*options, truth]
            if truth is not Truth.FALSE:
                options.append((flow.id,))
            if truth is Truth.TRUE:
                return options
            unknown = unknown or truth is Truth.UNKNOWN
        if default is not None:
            return [*options, (default,)]
        if unknown:
            return [*options, "it has no default flow, and none of its conditions is sure to hold "
                              "(they read data the simulation cannot know)"]
        return [*options, "none of its conditions holds and it has no default flow"]

    def _inclusive(self, element: str, env: Mapping[str, str]) -> list[Option]:
        """Every flow whose condition holds (unconditional ones always), else the default flow."""
        default = self.model.bundle.graph.defaults.get(element)
        definite: list[str] = []
        maybe: list[str] = []
        for flow, truth in self._judged(element, env):
            if isinstance(truth, str):
                return [truth]
            if truth is Truth.TRUE:
                definite.append(flow.id)
            elif truth is Truth.UNKNOWN:
                maybe.append(flow.id)
        if len(maybe) <= MAX_UNKNOWN_SUBSETS:
            subsets = [c for n in range(len(maybe) + 1) for c in itertools.combinations(maybe, n)]
        else:
            subsets = [(), *((f,) for f in maybe), tuple(maybe)]
        options: list[Option] = []
        for subset in subsets:
            taken = tuple(definite) + subset
            if not taken:
                taken = (default,) if default else "none of its conditions holds and it has no default flow"
            options.append(taken)
        return list(dict.fromkeys(options))

    # -- the engine's own moves -------------------------------------------------
    def _reachable(self, token: str, join: str) -> frozenset[str]:
        """Flows a token at ``token`` (an element or a flow) can reach without passing ``join``."""
        seen: set[str] = set()
        todo = [token]
        while todo:
            here = todo.pop()
            if here in seen:
                continue
            seen.add(here)
            if here in self.model.flows:
                target = self.model.flows[here].target
                if target != join:
                    todo.append(target)
            else:
                todo.extend(f.id for f in self.model.outgoing.get(here, ()))
                todo.extend(self.model.boundaries.get(here, ()))
        return frozenset(f for f in seen if f in self.model.flows)

    def _may_fire(self, join: str, inputs: tuple[str, ...], tokens: tuple[str, ...], present: set[str]) -> bool:
        missing = {f for f in inputs if f not in present}
        if not missing or self.model.kinds[join] == "parallelGateway":
            return not missing
        return not any(self._reach(t, join) & missing for t in tokens if t not in inputs)

    def _movable(self, tokens: tuple[str, ...]) -> int | None:
        """The token the engine moves next: the first in the document's order that is not
        waiting at a join which cannot fire yet."""
        flows, joins = self.model.flows, self.model.joins
        moving = [t for t in tokens if t in flows]
        present = set(moving)
        for token in sorted(present, key=self.model.order.__getitem__) if len(moving) > 1 else moving:
            target = flows[token].target
            inputs = joins.get(target)
            if inputs is None or self._may_fire(target, inputs, tokens, present):
                return tokens.index(token)
        return None

    def settle(self, tokens: tuple[str, ...], env: Mapping[str, str], trail: tuple[str, ...] = ()) -> list[Outcome]:
        """Run the engine's moves until every token rests; one outcome per way it can go.

        ``trail`` lists what was entered so far (the flows the tokens are on, too).
        """
        outcomes: list[Outcome] = []
        work: list[Rest] = [Rest(tokens, trail, (), ())]
        while work:
            run = work.pop()
            index = self._movable(run.tokens)
            if index is None:
                outcomes.append(run)
                continue
            flow = run.tokens[index]
            target = self.model.flows[flow].target
            rest = run.tokens[:index] + run.tokens[index + 1:]
            if run.trail.count(target) > (self.max_visits + 1) * max(1, len(self.model.incoming[target])):
                outcomes.append(Spin(target, run.trail))
                continue
            moved = run.trail + (target,)
            if self.model.is_join(target):
                inputs = {f.id for f in self.model.incoming[target]} - {flow}
                for other in inputs & set(rest):
                    rest = _without(rest, other)
            kind = self.model.kind(target)
            if kind == "endEvent":
                terminate = self.model.trigger(target)[0] == "terminate"
                work.append(Rest(() if terminate else rest, moved, run.ends + (target,), run.rested))
            elif self.model.is_waiting(target):
                work.append(Rest(rest + (target,), moved, run.ends, run.rested + (target,)))
            else:
                for option in self.leave(target, env):
                    if isinstance(option, str):
                        outcomes.append(Dead(target, option, moved))
                    else:
                        work.append(Rest(rest + option, moved + option, run.ends, run.rested))
        return outcomes

    # -- steps from outside -------------------------------------------------------
    def start(self) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for start in self.model.starts:
            for option in self.leave(start, {}):
                if isinstance(option, str):
                    outcomes.append(Dead(start, option, (start,)))
                else:
                    outcomes.extend(self.settle(option, {}, (start, *option)))
        return outcomes

    def _fire(self, tokens: tuple[str, ...], removed: list[str], fired: list[tuple[str, ...]],
              env: Mapping[str, str]) -> list[Outcome]:
        """Remove the caught tokens, then let each fired element's token leave it."""
        for token in dict.fromkeys(removed):
            tokens = _without(tokens, token)
        outcomes: list[Outcome] = []
        choices = [[(path, o) for o in self.leave(path[-1], env)] for path in fired]
        for combination in itertools.product(*choices):
            trail = tuple(e for path, _ in combination for e in path)
            dead = next(((path[-1], o) for path, o in combination if isinstance(o, str)), None)
            if dead is not None:
                outcomes.append(Dead(dead[0], dead[1], trail))
                continue
            leaving = tuple(f for _, o in combination for f in o)
            outcomes.extend(self.settle(tokens + leaving, env, trail + leaving))
        return outcomes

    def steps(self, state: State) -> Iterator[Step]:
        """Every step from outside that ``state`` allows, with its outcomes."""
        env = dict(state.env)
        messages: dict[str, list[tuple[str | None, tuple[str, ...]]]] = {}
        for token in dict.fromkeys(state.tokens):
            if token in self.model.flows:
                continue
            kind = self.model.kind(token)
            if self.model.is_manual(token):
                for decision in self.model.decisions(token) or (None,):
                    written = decision_data(token, decision).items() if decision else ()
                    after = {**env, **{k: v for k, v in written if k in self.model.read_names}}
                    outcomes = self._fire(state.tokens, [token], [(token,)], after)
                    yield Step(("complete", token, decision), tuple(sorted(after.items())), tuple(outcomes))
            catches: list[tuple[str | None, tuple[str, ...]]] = []
            if kind == "intermediateCatchEvent":
                catches.append((token, (token,)))
            elif kind == "eventBasedGateway":
                catches.extend((token, (f.id, f.target)) for f in self.model.outgoing[token])
            catches.extend((token if self.model.interrupting(b) else None, (b,))
                           for b in self.model.boundaries.get(token, ()))
            for removed, path in catches:
                trigger, detail = self.model.trigger(path[-1])
                if trigger == "message" and detail:
                    waiting = messages.setdefault(detail, [])
                    if removed is None or all(r != removed for r, _ in waiting):  # a gateway takes one
                        waiting.append((removed, path))
                elif trigger != "none":
                    yield self._event_step(state, env, [(removed, path)])
        for name in sorted(messages):
            yield self._event_step(state, env, messages[name], ("message", name, None))

    def _event_step(self, state: State, env: dict[str, str], catches: list[tuple[str | None, tuple[str, ...]]],
                    label: tuple[str, str, str | None] | None = None) -> Step:
        removed = [r for r, _ in catches if r is not None]
        paths = [p for _, p in catches]
        fired = tuple(p[-1] for r, p in catches if r is None)
        outcomes = self._fire(state.tokens, removed, paths, env)
        return Step(label or ("event", paths[0][-1], None), state.env, tuple(outcomes), fired)

    def next_state(self, state: State, step: Step, outcome: Rest) -> tuple[State, bool]:
        """The state after ``outcome``, and whether it stays within the visit bound."""
        entered = [e for e in outcome.rested if e in self.model.cyclic] + list(step.fired)
        if not entered:
            return State(tuple(sorted(outcome.tokens)), step.env, state.visits), True
        visits = Counter(dict(state.visits))
        visits.update(entered)
        within = all(visits[e] <= self.max_visits for e in entered)
        return State(tuple(sorted(outcome.tokens)), step.env, tuple(sorted(visits.items()))), within

    def waits_on(self, state: State) -> list[str]:
        """What the tokens of a state without any step wait at (a join, an event that never comes)."""
        found = [self.model.flows[t].target if t in self.model.flows else t for t in state.tokens]
        return list(dict.fromkeys(found))
