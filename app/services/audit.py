"""The event log: append-only, hash-chained per instance.

Each event's hash covers its content and the previous event's hash of the same
instance; the instance row keeps the head, so an edited, inserted or deleted
row breaks the chain (``verify_chain``). The application has no update or
delete path for events.

Events of no instance (``record_admin_event``: publishing a diagram, changing who may do
what, an auditor reading a proof) chain the same way in one administrative chain, whose
head is the ``audit_chain`` row ``admin``; their hash also covers what they are about.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..db import execute, saved
from ..extensions import db
from ..models import AuditChain, ProcessEvent, ProcessInstance, utcnow
from .actors import SYSTEM_NAME, Actor


def _digest(prev_hash: str | None, event: ProcessEvent | _EventValues) -> str:
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
    if event.instance_id is None:  # what an administrative event is about is part of its content
        body.update(process=event.process_key, record_type=event.record_type, record=event.record_id)
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class _EventValues(dict):
    """An event's column values, read as attributes by ``_digest`` (as a ``ProcessEvent`` is)."""

    __getattr__ = dict.__getitem__


# Built once: an instance's event goes in as one plain INSERT (the ORM's unit of work cost ~500
# Python calls per event: the object, its flush, the statement).
_INSERT_EVENT = insert(ProcessEvent.__table__)


def record_event(instance: ProcessInstance, actor: Actor | None, action: str, *,
                 org_id: int | None = None, task_spec: str | None = None,
                 decision: str | None = None, comment: str | None = None,
                 data: dict[str, Any] | None = None, head_saved_by_caller: bool = False) -> str:
    """Append an event to ``instance``'s chain; returns its hash, the chain's new head.

    The head is set on ``instance`` for the ORM to write at the flush, or, with
    ``head_saved_by_caller``, as already written: the runner's ``save`` that follows in the same
    transaction writes it with the rest of the instance (one statement fewer).
    """
    event = _EventValues(
        instance_id=instance.id,
        process_key=instance.process_key,
        record_type=instance.record_type,
        record_id=instance.record_id,
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
    event["hash"] = head = _digest(event["prev_hash"], event)
    execute(_INSERT_EVENT, event)
    if head_saved_by_caller:
        saved(instance, {"last_event_hash": head})
    else:
        instance.last_event_hash = head
    return head


ADMIN_CHAIN = "admin"


_LOCK_ADMIN_CHAIN = (update(AuditChain).where(AuditChain.name == ADMIN_CHAIN)  # built once
                     .values(length=AuditChain.length + 1).returning(AuditChain)
                     .execution_options(populate_existing=True, synchronize_session=False))


def _lock_admin_chain() -> AuditChain:
    """Lock the administrative chain's head row (created on first use) and read it back."""
    statement = _LOCK_ADMIN_CHAIN
    chain = db.session.scalars(statement).first()
    if chain is None:
        try:
            with db.session.begin_nested():
                db.session.execute(insert(AuditChain).values(name=ADMIN_CHAIN, head_hash=None, length=0))
        except IntegrityError:  # created meanwhile by another transaction
            pass
        chain = db.session.scalars(statement).one()
    return chain


def record_admin_event(actor: Actor | None, action: str, *, record_type: str, record_id: int | None,
                       process_key: str | None = None, org_id: int | None = None,
                       comment: str | None = None, old: dict[str, Any] | None = None,
                       new: dict[str, Any] | None = None,
                       data: dict[str, Any] | None = None) -> str:
    """Append an event that belongs to no instance to the administrative chain; returns its hash.

    ``record_type``/``record_id`` name what changed (``process_definition`` 12, ``user`` 5, a
    record whose proof was read…); ``old`` and ``new`` are the values before and after.
    """
    return _append_admin_events(actor, action, [{"record_id": record_id, "old": old, "new": new, "data": data,
                                                 "comment": comment}],
                                record_type=record_type, process_key=process_key, org_id=org_id)[0]


def record_admin_events(actor: Actor | None, action: str, items: list[dict[str, Any]], *, record_type: str,
                        process_key: str | None = None, org_id: int | None = None) -> int:
    """Append one event per item (``record_id``, and optionally ``old``, ``new``, ``data``, ``comment``)
    to the administrative chain under one lock of its head, in the order given; returns how many.

    The same events as ``record_admin_event`` called per item, but one round trip for the chain
    instead of three per event: a bulk change (10,000 accounts imported) took 170 s of round trips on
    PostgreSQL event by event (``bench/staff_import.py``)."""
    return len(_append_admin_events(actor, action, items, record_type=record_type, process_key=process_key,
                                    org_id=org_id)) if items else 0


def _append_admin_events(actor: Actor | None, action: str, items: list[dict[str, Any]], *, record_type: str,
                         process_key: str | None, org_id: int | None) -> list[str]:
    """Append the items' events and move the chain's head: plain statements (one INSERT for all the
    events, one UPDATE of the head) rather than the ORM's unit of work. Returns their hashes."""
    chain = _lock_admin_chain()  # counted one; the rest are added below
    at, prev = utcnow(), chain.head_hash
    actor_id, actor_name = (actor.id, actor.name) if actor else (None, SYSTEM_NAME)
    org_name = actor.org_name(org_id) if actor and org_id else None
    events = []
    for item in items:
        body = dict(item.get("data") or {})
        for key in ("old", "new"):
            if item.get(key) is not None:
                body[key] = item[key]
        event = _EventValues(
            instance_id=None, process_key=process_key, record_type=record_type, record_id=item.get("record_id"),
            at=at, actor_id=actor_id, actor_name=actor_name, actor_org_id=org_id, actor_org_name=org_name,
            action=action, task_spec=None, decision=None, comment=item.get("comment") or None, data=body,
            prev_hash=prev)
        event["hash"] = prev = _digest(prev, event)
        events.append(event)
    execute(_INSERT_EVENT, events)
    head = {"head_hash": prev, "length": chain.length + len(items) - 1}
    execute(_MOVE_HEAD, {"chain_name": chain.name, **head})
    saved(chain, head)
    return [event["hash"] for event in events]


_MOVE_HEAD = update(AuditChain.__table__).where(AuditChain.__table__.c.name == bindparam("chain_name"))


def verify_admin_chain() -> list[str]:
    """Verify the administrative chain end to end (in id order, streamed)."""
    chain = db.session.get(AuditChain, ADMIN_CHAIN)
    events = db.session.scalars(select(ProcessEvent).where(ProcessEvent.instance_id.is_(None))
                                .order_by(ProcessEvent.id).execution_options(yield_per=1000))
    return _verify_links(events, chain.head_hash if chain else None, f"{ADMIN_CHAIN} chain")


def _verify_links(events: Iterable[ProcessEvent], head: str | None, name: str) -> list[str]:
    problems = []
    prev = None
    for event in events:
        if event.prev_hash != prev:
            problems.append(f"event {event.id}: predecessor hash mismatch (row missing or reordered)")
        if _digest(event.prev_hash, event) != event.hash:
            problems.append(f"event {event.id}: content does not match its hash (edited)")
        prev = event.hash
    if prev != head:
        problems.append(f"{name}: last event hash mismatch (trailing row removed)")
    return problems


def verify_chain(instance: ProcessInstance, events: Iterable[ProcessEvent]) -> list[str]:
    """Return a problem per broken link; empty when the chain is intact."""
    return _verify_links(events, instance.last_event_hash, f"instance {instance.id}")


def verify_all(instance_ids: Iterable[int] | None = None, batch: int = 500) -> tuple[int, list[str]]:
    """Verify the chains of all (or some) instances, streaming the events in order (and, for
    all, the administrative chain).

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
            if instance_ids is None:
                problems.extend(verify_admin_chain())
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
