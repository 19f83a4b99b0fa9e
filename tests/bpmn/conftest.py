"""Fixtures of the diagram tests: an engine whose handlers record which of them a diagram called."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

import workflows.clock as workflow_clock
from tests.support.paths import recording_engine
from workflows import use_clock


@pytest.fixture
def calls() -> list[str]:
    return []


@pytest.fixture
def engine(calls):
    return recording_engine(calls)


@pytest.fixture
def engine_clock(monkeypatch):
    """The engine's timers on a clock the test sets: ``engine_clock[0] = datetime(...)``."""
    now = [datetime(2026, 6, 1, 2, 0, tzinfo=UTC)]
    monkeypatch.setattr(workflow_clock, "_now", workflow_clock._now)  # restored after the test
    use_clock(lambda: now[0])
    return now


@pytest.fixture(autouse=True)
def tasks_in_state_as_the_library_walks(monkeypatch):
    """Every diagram test also checks the engine's own walk of the task tree (``DeepWorkflow.tasks_in_state``,
    which answers the engine's queries by state) against SpiffWorkflow's iterator: the same tasks in the
    same order, at every query the test's steps make."""
    from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator

    from workflows.engine import MAX_TREE_DEPTH, DeepWorkflow

    fast = DeepWorkflow.tasks_in_state

    def checking(workflow, state):
        found = fast(workflow, state)
        expected = list(BpmnTaskIterator(workflow.task_tree, max_depth=MAX_TREE_DEPTH, state=state))
        assert [t.id for t in found] == [t.id for t in expected], state
        return found
    monkeypatch.setattr(DeepWorkflow, "tasks_in_state", checking)
    yield

