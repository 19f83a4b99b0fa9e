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


_TASK_FIELDS = ("id", "_parent", "_children", "_state", "task_spec", "last_state_change", "triggered",
                "internal_data", "data")


@pytest.fixture(autouse=True)
def tasks_stored_and_restored_as_the_library_does(monkeypatch):
    """Every diagram test also checks ``FastTaskConverter`` (workflows/task_state.py) against SpiffWorkflow's
    ``TaskConverter`` at each save and load its steps make: the same dictionary for each task stored, the
    same task (ids, state, spec, data…) for each task restored."""
    from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter

    from workflows.engine import SpeclessWorkflowConverter
    from workflows.task_state import FastTaskConverter

    fast_to_dict, fast_from_dict = FastTaskConverter.to_dict, SpeclessWorkflowConverter.from_dict

    def storing(converter, task):
        stored = fast_to_dict(converter, task)
        assert stored == TaskConverter.to_dict(converter, task)
        return stored

    def restoring(converter, dct, spec=None, subprocess_specs=None):
        stored = dct["tasks"]
        workflow = fast_from_dict(converter, dct, spec, subprocess_specs)
        library = converter.target_class(spec, subprocess_specs or {}, deserializing=True)
        task_converter = converter.registry.task_converter
        for key, task_dct in stored.items():
            expected = TaskConverter.from_dict(task_converter, task_dct, library)
            got = workflow.tasks[expected.id]
            assert str(got.id) == key
            for field in _TASK_FIELDS:
                assert getattr(got, field) == getattr(expected, field), field
        assert list(workflow.tasks) == list(library.tasks)
        return workflow
    monkeypatch.setattr(FastTaskConverter, "to_dict", storing)
    monkeypatch.setattr(SpeclessWorkflowConverter, "from_dict", restoring)
