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
