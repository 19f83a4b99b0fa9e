"""The app's one source of "now".

Every date rule (claim windows, due dates of tasks, deadlines) reads the time here, never
``datetime.now()`` directly, so that tests can stop or move the clock instead of waiting
(``CLOCK.freeze(...)``, ``CLOCK.advance(...)``). In production it is the system clock.
"""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask.globals import _cv_app

DEFAULT_TIMEZONE = "Asia/Shanghai"


class Clock:
    """The system clock, unless a test has frozen it or made it run faster (shared by every thread
    of the process)."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None
        self._fast: tuple[datetime, float] | None = None  # (real moment it started, factor)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        frozen, fast = self._frozen, self._fast
        if fast is not None:
            started, factor = fast
            return started + (datetime.now(UTC) - started) * factor
        return frozen if frozen is not None else datetime.now(UTC)

    def accelerate(self, factor: float) -> None:
        """Tests only: from now on time passes ``factor`` times faster (e.g. a browser test's study
        clock, where the page's real heartbeats must count minutes in seconds)."""
        with self._lock:
            self._frozen, self._fast = None, (datetime.now(UTC), float(factor))

    def freeze(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("freeze the clock at an aware datetime")
        with self._lock:
            self._frozen, self._fast = at.astimezone(UTC), None

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._frozen, self._fast = (self._frozen or datetime.now(UTC)) + delta, None

    def reset(self) -> None:
        with self._lock:
            self._frozen = self._fast = None


CLOCK = Clock()


def utcnow() -> datetime:
    return CLOCK.now()


def timezone() -> ZoneInfo:
    context = _cv_app.get(None)  # what has_app_context and current_app read, read once (~8 calls saved)
    return ZoneInfo(context.app.config["BABEL_DEFAULT_TIMEZONE"] if context is not None else DEFAULT_TIMEZONE)


def today() -> date:
    """Today's date where the platform is (the configured time zone), not on the server."""
    return CLOCK.now().astimezone(timezone()).date()
