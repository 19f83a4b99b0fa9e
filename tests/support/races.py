"""Forcing two requests to meet: start them at one barrier, hold the instance lock a while."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from app.services import runner

HOLD_SECONDS = 0.3


def run_together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call in its own thread, all released at once; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def hold_instance_lock(monkeypatch: pytest.MonkeyPatch, seconds: float = HOLD_SECONDS) -> None:
    """Hold every instance row lock ``seconds`` longer, so a second request certainly waits on it.

    Every path to an instance's row lock goes through ``runner._lock``.
    """
    original = runner._lock

    def held(where: Any) -> Any:
        instance = original(where)
        time.sleep(seconds)
        return instance

    monkeypatch.setattr(runner, "_lock", held)
