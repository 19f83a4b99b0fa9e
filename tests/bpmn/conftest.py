"""Fixtures of the diagram tests: an engine whose handlers record which of them a diagram called."""
from __future__ import annotations

import pytest

from tests.support.paths import recording_engine


@pytest.fixture
def calls() -> list[str]:
    return []


@pytest.fixture
def engine(calls):
    return recording_engine(calls)
