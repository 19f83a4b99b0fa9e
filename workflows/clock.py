"""The time SpiffWorkflow's timers read.

SpiffWorkflow decides whether a timer has expired (and computes a duration's due time) with
``datetime.now(timezone.utc)`` inside its timer module. A host with its own clock (one that
tests can stop or move, so that deadlines are tested without waiting) installs it here; the
timer module then reads that clock instead of the system's. Nothing else in the library reads
the time.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


class _ClockDatetime(datetime):
    """``datetime`` whose ``now()`` is the installed clock (the timer module's only use of it)."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        current = _now()
        return current.astimezone(tz) if tz is not None else current.astimezone().replace(tzinfo=None)


def use_clock(now: Callable[[], datetime]) -> None:
    """Make the engine's timers read ``now`` (an aware datetime) instead of the system clock."""
    global _now
    _now = now
    _timer.datetime = _ClockDatetime  # type: ignore[misc]
