"""Advancing instances whose timers are due (``flask --app app run-timers``).

Safe to run on several hosts at once: candidates are picked with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, and each instance is advanced in its
own transaction after re-checking, under the instance lock, that it is still due.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update

from workflows import WorkflowError

from ..db import transaction
from ..errors import ServiceError
from ..extensions import db
from ..models import ProcessInstance, utcnow
from . import plugins, runner
from .audit import record_event

log = logging.getLogger(__name__)


def _next_due(now: datetime, skip: set[int]) -> int | None:
    query = (select(ProcessInstance.id)
             .where(ProcessInstance.next_timer_due.is_not(None),
                    ProcessInstance.next_timer_due <= now, ProcessInstance.completed.is_(False),
                    ProcessInstance.suspended.is_(False), ProcessInstance.error.is_(None))
             .order_by(ProcessInstance.next_timer_due).limit(1))
    if skip:
        query = query.where(ProcessInstance.id.not_in(skip))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # another runner holds it: take the next
    return db.session.scalar(query)


def advance(instance_id: int, now: datetime) -> bool:
    """Fire the due timers of one instance; False if another runner got there first."""
    instance = runner.lock_instance(instance_id)
    if (instance.completed or instance.suspended or instance.next_timer_due is None
            or instance.next_timer_due > now):
        return False
    plugin = plugins.for_type(instance.record_type)
    record = plugin.get(instance.record_id, refresh=True)
    loaded = runner.load(instance, record, None, plugin)
    loaded.refresh_timer_data(plugin.engine_data(record))  # a deadline moved meanwhile is the one that counts
    moved = loaded.advance_timers()
    if moved:
        record_event(instance, None, "timer", head_saved_by_caller=True)
    runner.save(instance, loaded, plugin, record)
    return moved


def run_due(limit: int = 100, now: datetime | None = None) -> int:
    """Advance up to ``limit`` due instances, one transaction each; return how many moved."""
    now = now or utcnow()
    seen: set[int] = set()
    fired = 0
    while len(seen) < limit:
        instance_id = None
        try:
            with transaction():
                instance_id = _next_due(now, seen)
                if instance_id is None:
                    break
                seen.add(instance_id)
                fired += advance(instance_id, now)
        except (WorkflowError, ServiceError, LookupError) as exc:  # rolled back: keep why, go on
            _keep_error(instance_id, exc)
    return fired


def _keep_error(instance_id: int | None, exc: Exception) -> None:
    """Mark the instance as stuck (process administrators see it and may retry); its timer waits."""
    log.warning("timer of instance %s failed: %s", instance_id, exc)
    if instance_id is None:
        return
    with transaction():
        db.session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id)
                           .values(error=f"{type(exc).__name__}: {exc}"[:2000]))
