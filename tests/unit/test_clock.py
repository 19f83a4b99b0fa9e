"""The app's clock: frozen, moved, or (tests only) running faster than real time."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from app.clock import Clock


def test_a_frozen_clock_stands_until_moved():
    clock = Clock()
    at = datetime(2026, 1, 20, 15, 59, tzinfo=UTC)
    clock.freeze(at)
    time.sleep(0.01)
    assert clock.now() == at
    clock.advance(timedelta(minutes=1))
    assert clock.now() == at + timedelta(minutes=1)


def test_an_accelerated_clock_runs_that_many_times_faster_and_resets_to_real_time():
    clock = Clock()
    clock.accelerate(600)
    start = datetime.now(UTC)
    time.sleep(0.05)
    ran = clock.now() - start
    assert timedelta(seconds=25) <= ran <= timedelta(seconds=600)  # 0.05 s real is 30 s, give or take a slow machine
    clock.reset()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=1)
