"""Decisions of parallel reviews: one sends back, the other approves a moment later.

SpiffWorkflow merges the branches' data at a join in the order they finished, so a gateway
after the join reading ``decision`` sees whichever review finished last. The runner writes each
decision under the step's own name too (``review_a_decision``); a gateway reading those cannot
be fooled, and a diagram reading the bare ``decision`` after a join is refused at deploy.
"""
from __future__ import annotations

import pytest

from tests.support.diagrams import parallel_review
from workflows import Engine, decision_data, decision_problems

BARE = 'decision == "approve"'
NAMED = 'review_a_decision == "approve" and review_b_decision == "approve"'


def _run(condition: str, decisions: list[tuple[str, str, str]]) -> str | None:
    engine = Engine()
    bundle = engine.bundle(parallel_review(condition))
    loaded = engine.start(bundle)
    state = loaded.snapshot().state
    for spec, lane, decision in decisions:
        loaded = engine.load(bundle, state)
        task = next(t for t in loaded.ready_tasks() if t.spec == spec)
        loaded.complete(task.id, decision_data(spec, decision), lanes={lane})
        state = loaded.snapshot().state
    snapshot = loaded.snapshot()
    assert snapshot.completed
    return snapshot.status


SEND_BACK_THEN_APPROVE = [("review_a", "a", "return"), ("review_b", "b", "approve")]


def test_the_bare_decision_after_a_join_is_whoever_finished_last():
    """The bug the named keys fix, reproduced on the engine: this instance would end approved."""
    assert _run(BARE, SEND_BACK_THEN_APPROVE) == "approved"


@pytest.mark.parametrize("decisions", [SEND_BACK_THEN_APPROVE, SEND_BACK_THEN_APPROVE[::-1]])
def test_named_decisions_cannot_be_overwritten_by_the_other_branch(decisions):
    assert _run(NAMED, decisions) == "returned"


def test_both_approving_approves():
    assert _run(NAMED, [("review_a", "a", "approve"), ("review_b", "b", "approve")]) == "approved"


def test_a_gateway_reading_the_bare_decision_after_a_join_is_refused():
    bundle = Engine().bundle(parallel_review(BARE))
    problems = decision_problems(bundle)
    assert any(p.startswith("to_approved:") and "after the join join" in p for p in problems), problems
    assert decision_problems(Engine().bundle(parallel_review(NAMED))) == []
