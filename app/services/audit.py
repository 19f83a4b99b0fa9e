"""The event log: append-only, hash-chained per instance.

Each event's hash covers its content and the previous event's hash of the same
instance; the instance row keeps the head, so an edited, inserted or deleted
row breaks the chain (``verify_chain``). The application has no update or
delete path for events.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import ProcessEvent, ProcessInstance, utcnow
from .actors import SYSTEM_NAME, Actor


def _digest(prev_hash: str | None, event: ProcessEvent) -> str:
    body = {
        "instance": event.instance_id,
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "org": event.actor_org_id,
        "action": event.action,
        "task": event.task_spec,
        "decision": event.decision,
        "comment": event.comment,
        "data": event.data,
        "prev": prev_hash,
    }
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def record_event(instance: ProcessInstance, actor: Actor | None, action: str, *,
                 org_id: int | None = None, task_spec: str | None = None,
                 decision: str | None = None, comment: str | None = None,
                 data: dict[str, Any] | None = None) -> ProcessEvent:
    event = ProcessEvent(
        instance_id=instance.id,
        at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else SYSTEM_NAME,
        actor_org_id=org_id,
        actor_org_name=actor.org_name(org_id) if actor and org_id else None,
        action=action,
        task_spec=task_spec,
        decision=decision,
        comment=comment or None,
        data=data or {},
        prev_hash=instance.last_event_hash,
    )
    event.hash = _digest(event.prev_hash, event)
    instance.last_event_hash = event.hash
    db.session.add(event)
    return event


def verify_chain(instance: ProcessInstance, events: Iterable[ProcessEvent]) -> list[str]:
    """Return a problem per broken link; empty when the chain is intact."""
    problems = []
    prev = None
    for event in events:
        if event.prev_hash != prev:
            problems.append(f"event {event.id}: predecessor hash mismatch (row missing or reordered)")
        if _digest(event.prev_hash, event) != event.hash:
            problems.append(f"event {event.id}: content does not match its hash (edited)")
        prev = event.hash
    if prev != instance.last_event_hash:
        problems.append(f"instance {instance.id}: last event hash mismatch (trailing row removed)")
    return problems


def verify_all(instance_ids: Iterable[int] | None = None, batch: int = 500) -> tuple[int, list[str]]:
    """Verify the chains of all (or some) instances, streaming the events in order.

    Returns (instances checked, problems). Reads in batches of instances so a
    large log never sits in memory at once.
    """
    query = select(ProcessInstance).order_by(ProcessInstance.id)
    if instance_ids is not None:
        query = query.where(ProcessInstance.id.in_(list(instance_ids)))
    checked, problems, last_id = 0, [], 0
    while True:
        instances = db.session.scalars(query.where(ProcessInstance.id > last_id).limit(batch)).all()
        if not instances:
            return checked, problems
        by_id = {i.id: i for i in instances}
        events: dict[int, list[ProcessEvent]] = {i.id: [] for i in instances}
        for event in db.session.scalars(select(ProcessEvent).where(ProcessEvent.instance_id.in_(by_id))
                                        .order_by(ProcessEvent.instance_id, ProcessEvent.id)):
            events[event.instance_id].append(event)
        for instance_id, instance in by_id.items():
            problems.extend(verify_chain(instance, events[instance_id]))
        checked += len(instances)
        last_id = instances[-1].id
        db.session.expunge_all()
