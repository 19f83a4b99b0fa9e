"""The simulation against the engine itself: what the engine reaches, the simulation reaches too.

Each diagram whose conditions read only decisions (no seeded data, no timers) is driven on the
real engine through every decision and message, a few steps deep: the statuses and end events the
engine shows are the ones the simulation reports.
"""
from __future__ import annotations

import re

import pytest

from tests.support.diagrams import shipped
from workflows import STATUS_SEPARATOR, Engine, EventNotWaiting, decision_data, simulate

# Diagrams whose every path follows from decisions and messages. Not unit_registration: after its
# handler a gateway reads what the handler answered (the name or code taken meanwhile), which the
# simulation walks both ways and this stub handler never answers.
DRIVEN = ["credit_claim", "provider_postfiling", "provider_prefiling", "staff_transfer", "supplementary_claim",
          "unit_change", "unit_declaration", "unit_parent_change", "person_info_change"]
DEPTH = 9
MAX_RUNS = 600


def _engine_for(content: bytes) -> Engine:
    names = {n.decode() for n in re.findall(rb'serviceTaskOperator id="([^"]+)"', content)}
    return Engine({name: (lambda host, params, data: {}) for name in names})


def _drive(name: str) -> tuple[set[str], set[str]]:
    """Statuses and end events the engine reaches from a fresh instance, breadth-first."""
    content = shipped(name)
    engine = _engine_for(content)
    bundle = engine.bundle(content)
    statuses: set[str] = set()
    ends: set[str] = set()
    first = engine.start(bundle, {}).snapshot()
    statuses.update(first.status.split(STATUS_SEPARATOR))
    frontier = [first.state]
    seen: set[str] = set(frontier)
    for _ in range(DEPTH):
        following: list[str] = []
        for state in frontier:
            for act in _acts(engine, bundle, state):
                loaded = engine.load(bundle, state)
                try:
                    act(loaded)
                except EventNotWaiting:
                    continue
                snapshot = loaded.snapshot()
                statuses.update(snapshot.status.split(STATUS_SEPARATOR) if snapshot.status else ())
                if snapshot.end_event is not None:
                    ends.add(snapshot.end_event.spec)
                elif snapshot.state not in seen and len(seen) < MAX_RUNS:
                    seen.add(snapshot.state)
                    following.append(snapshot.state)
        frontier = following
    return statuses, ends


def _acts(engine, bundle, state):
    loaded = engine.load(bundle, state)
    for task in loaded.ready_tasks():
        for decision in task.info.decisions:
            yield lambda li, t=task.info.spec, d=decision: li.complete(
                next(r.id for r in li.ready_tasks() if r.spec == t), decision_data(t, d))
    for message in sorted(bundle.messages):
        yield lambda li, m=message: li.send_message(m)


@pytest.mark.parametrize("name", DRIVEN)
def test_what_the_engine_reaches_the_simulation_reaches(name):
    statuses, ends = _drive(name)
    result = simulate(_engine_for(shipped(name)).bundle(shipped(name)))
    assert statuses == set(result.statuses)
    assert ends == {e.element for e in result.ends}
