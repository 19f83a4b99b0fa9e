"""Verifying the event log's hash chains, fully or incrementally, and the checkpoints that record it.

Every event's hash covers its content and its predecessor's hash in its chain (an instance's chain,
or the administrative chain of events of no instance); the heads are ``process_instance
.last_event_hash`` and ``audit_chain.head_hash`` (``app/services/audit.py``).

* **Full** (``full=True``, the CLI's ``audit verify``): every chain from its first event to its head
  (``verify_all``), and every chain head a clean run recorded (``AuditChainMark``) is still there.
* **Incremental**: from the last clean checkpoint, only the events after it, each with its content
  hash and its link to its predecessor (the first new event of a chain is linked to its predecessor
  read by index, which must be the head the checkpoint recorded for that chain, with the same hash),
  then the heads of the chains those events touched; plus: the checkpoint's last event still has the
  hash it had, and the events up to it are as many as then (so a deleted old event shows).
  It does **not** re-read old events: an old event edited in place (its content or its hash) after
  it was verified is found by the next full run only.

A run reads in one snapshot (REPEATABLE READ on PostgreSQL; SQLite's read transaction) without the
write lock, then writes its checkpoint. Events of the last ``AUDIT_SETTLE_SECONDS`` are left to the
next run (on PostgreSQL a transaction may still commit an event with a lower id than one visible).
Starting a run is itself an event of the administrative chain (``audit_verify``).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from ..clock import utcnow
from ..db import commit, read_only
from ..errors import Conflict
from ..extensions import db
from ..i18n import _, label
from ..models import AuditChain, ProcessEvent, ProcessInstance
from ..services.actors import SYSTEM_NAME, Actor
from ..services.audit import ADMIN_CHAIN, _digest, record_admin_event, verify_all
from .models import ADMIN_CHAIN_KEY, AuditChainMark, AuditCheckpoint
from .search import COLUMNS

E = ProcessEvent
ACTION = "audit_verify"
MAX_PROBLEMS = 200
SETTLE_SECONDS = 60
# A full run reads ~15,000-25,000 events a second here (docs/performance.md §10): beyond this many
# events a request (gunicorn's timeout is 60 s) would be cut short, so pages and the API refuse it.
ONLINE_FULL_MAX_EVENTS = 500_000
BATCH = 2000
CHUNK = 500  # ids per IN list


@dataclass(frozen=True)
class Base:
    """The clean checkpoint an incremental run continues from (plain values, read before the run)."""

    id: int
    last_event_id: int
    last_event_hash: str | None
    last_event_at: datetime | None
    events_total: int


@dataclass
class Result:
    full: bool
    base: Base | None
    problems: list[str] = field(default_factory=list)
    events_checked: int = 0
    chains_checked: int = 0
    events_total: int = 0
    first_event_id: int | None = None
    last: Any = None  # the newest event vouched for (id, hash, at)
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)  # chain -> (event id, hash)


def last_checkpoint(*, clean: bool = False) -> AuditCheckpoint | None:
    statement = select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)
    if clean:
        statement = statement.where(AuditCheckpoint.problem_count == 0)
    return db.session.scalars(statement).first()


def _chunks(values: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def _chain_name(chain: int) -> str:
    return f"{ADMIN_CHAIN} chain" if chain == ADMIN_CHAIN_KEY else f"instance {chain}"


def settle_seconds() -> int:
    return int(current_app.config.get("AUDIT_SETTLE_SECONDS", SETTLE_SECONDS))


def _settled_last(after_id: int) -> Any:
    """The newest event after ``after_id`` old enough to vouch for (id, hash, at), or None: read back
    from the newest by id (the primary key), usually one row."""
    cutoff = utcnow() - timedelta(seconds=settle_seconds())
    below = None
    while True:
        statement = select(E.id, E.hash, E.at).where(E.id > after_id).order_by(E.id.desc()).limit(100)
        rows = db.session.connection().execute(statement.where(E.id < below) if below else statement).all()
        settled = next((row for row in rows if row.at < cutoff), None)
        if settled is not None or len(rows) < 100:
            return settled
        below = rows[-1].id


def _count(*where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(E).where(*where)) or 0


# -- full ------------------------------------------------------------------------------------------

def _full() -> Result:
    result = Result(full=True, base=None)
    result.last = _settled_last(0)
    instances, problems = verify_all()
    result.problems.extend(problems)
    result.problems.extend(_mark_problems())
    result.events_checked = _count()
    # (counting the newer ones: on SQLite a count by id range reads the table, a plain count an index)
    result.events_total = result.events_checked - _count(E.id > result.last.id) if result.last else 0
    result.chains_checked = instances + 1
    result.first_event_id = db.session.scalar(select(func.min(E.id)))
    return result


def _mark_problems() -> list[str]:
    """Every chain head a clean run recorded is still there, in its chain, with its hash."""
    problems = []
    rows = db.session.execute(select(AuditChainMark.chain, AuditChainMark.event_id, AuditChainMark.hash,
                                     E.id, E.instance_id, E.hash.label("now"))
                              .outerjoin(E, E.id == AuditChainMark.event_id)
                              .order_by(AuditChainMark.chain).execution_options(yield_per=BATCH))
    for chain, event_id, recorded, found, instance_id, now in rows:
        if found is None or (instance_id or ADMIN_CHAIN_KEY) != chain or now != recorded:
            problems.append(f"{_chain_name(chain)}: event {event_id}, its head when last verified, is missing "
                            f"or changed since")
    return problems


# -- incremental -----------------------------------------------------------------------------------

def _incremental(base: Base) -> Result:
    result = Result(full=False, base=base)
    problems = result.problems
    then = db.session.execute(select(*COLUMNS).where(E.id == base.last_event_id)).first()
    if then is None or then.hash != base.last_event_hash or _digest(then.prev_hash, then) != then.hash:
        problems.append(f"event {base.last_event_id}: the last verified event is missing or changed since "
                        f"checkpoint {base.id}")
    old = _count() - _count(E.id > base.last_event_id)
    if old != base.events_total:
        problems.append(f"{abs(old - base.events_total)} event(s) up to event {base.last_event_id} "
                        f"{'appeared' if old > base.events_total else 'vanished'} since checkpoint {base.id}")
    result.events_total = base.events_total
    result.last = _settled_last(base.last_event_id)
    if result.last is not None:
        _walk(result, base.last_event_id, result.last.id)
        result.events_total += result.events_checked
        _check_heads(result)
    result.chains_checked = len(result.heads)
    return result


def _walk(result: Result, after_id: int, upto: int) -> None:
    """Each event after ``after_id`` up to ``upto``: its hash, and its link to its predecessor."""
    heads = result.heads
    position = after_id
    while True:
        batch = db.session.connection().execute(select(*COLUMNS).where(E.id > position, E.id <= upto)
                                                .order_by(E.id).limit(BATCH)).all()
        if not batch:
            return
        if result.first_event_id is None:
            result.first_event_id = batch[0].id
        fresh = {row.instance_id or ADMIN_CHAIN_KEY for row in batch} - heads.keys()
        before = _predecessors(fresh, after_id)
        marks = _marks(fresh)
        for row in batch:
            chain = row.instance_id or ADMIN_CHAIN_KEY
            if chain in heads:
                expected = heads[chain][1]
            else:
                expected = _check_predecessor(result.problems, chain, before.get(chain), marks.get(chain))
            if row.prev_hash != expected:
                result.problems.append(f"event {row.id}: predecessor hash mismatch (row missing or reordered)")
            if _digest(row.prev_hash, row) != row.hash:
                result.problems.append(f"event {row.id}: content does not match its hash (edited)")
            heads[chain] = (row.id, row.hash)
        result.events_checked += len(batch)
        position = batch[-1].id


def _check_predecessor(problems: list[str], chain: int, before: Any, mark: Any) -> str | None:
    """The event before a chain's first new one: intact, and the head the last clean run recorded."""
    if before is not None and _digest(before.prev_hash, before) != before.hash:
        problems.append(f"event {before.id}: content does not match its hash (edited)")
    if mark is None and before is not None:
        problems.append(f"{_chain_name(chain)}: event {before.id} was never verified (run a full verification)")
    elif mark is not None and (before is None or (before.id, before.hash) != (mark.event_id, mark.hash)):
        problems.append(f"{_chain_name(chain)}: event {mark.event_id}, its head when last verified, is missing "
                        f"or changed since")
    return before.hash if before is not None else None


def _predecessors(chains: set[int], upto: int) -> dict[int, Any]:
    """Each chain's last event up to ``upto`` (by the instance index), read whole."""
    ids: list[int] = []
    for chunk in _chunks(c for c in chains if c != ADMIN_CHAIN_KEY):
        ids.extend(db.session.scalars(select(func.max(E.id)).where(E.instance_id.in_(chunk), E.id <= upto)
                                      .group_by(E.instance_id)))
    if ADMIN_CHAIN_KEY in chains:
        admin = db.session.scalar(select(func.max(E.id)).where(E.instance_id.is_(None), E.id <= upto))
        ids.extend([admin] if admin else [])
    found: dict[int, Any] = {}
    for chunk in _chunks(ids):
        for row in db.session.connection().execute(select(*COLUMNS).where(E.id.in_(chunk))):
            found[row.instance_id or ADMIN_CHAIN_KEY] = row
    return found


def _marks(chains: set[int]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for chunk in _chunks(chains):
        found.update((mark.chain, mark) for mark in db.session.execute(
            select(AuditChainMark.chain, AuditChainMark.event_id, AuditChainMark.hash)
            .where(AuditChainMark.chain.in_(chunk))))
    return found


def _check_heads(result: Result) -> None:
    """The touched chains' heads are their last events (chains with events too recent to vouch for
    are left to the next run)."""
    recent = set(db.session.scalars(select(E.instance_id).distinct().where(E.id > result.last.id)))
    heads = {chain: head for chain, head in result.heads.items()
             if (None if chain == ADMIN_CHAIN_KEY else chain) not in recent}
    for chunk in _chunks(c for c in heads if c != ADMIN_CHAIN_KEY):
        for instance_id, last_hash in db.session.execute(
                select(ProcessInstance.id, ProcessInstance.last_event_hash).where(ProcessInstance.id.in_(chunk))):
            if last_hash != heads[instance_id][1]:
                result.problems.append(f"instance {instance_id}: last event hash mismatch (trailing row removed)")
    if ADMIN_CHAIN_KEY in heads:
        chain = db.session.get(AuditChain, ADMIN_CHAIN)
        if chain is None or chain.head_hash != heads[ADMIN_CHAIN_KEY][1]:
            result.problems.append(f"{ADMIN_CHAIN} chain: last event hash mismatch (trailing row removed)")


# -- a run -----------------------------------------------------------------------------------------

def _snapshot() -> None:
    """Read the whole run in one snapshot (PostgreSQL's READ COMMITTED gives each statement its own)."""
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _upsert_marks(heads: dict[int, tuple[int, str]], checkpoint_id: int) -> None:
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    items = sorted(heads.items())
    for start in range(0, len(items), CHUNK):
        statement = dialect.insert(AuditChainMark).values([
            {"chain": chain, "event_id": event_id, "hash": head, "checkpoint_id": checkpoint_id}
            for chain, (event_id, head) in items[start:start + CHUNK]])
        db.session.execute(statement.on_conflict_do_update(index_elements=["chain"], set_={
            "event_id": statement.excluded.event_id, "hash": statement.excluded.hash,
            "checkpoint_id": statement.excluded.checkpoint_id}))


def _replace_marks(upto: int, checkpoint_id: int) -> None:
    """After a clean full run: every chain's head up to ``upto``."""
    db.session.execute(delete(AuditChainMark))
    last = select(func.max(E.id)).where(E.id <= upto).group_by(E.instance_id).scalar_subquery()
    db.session.execute(insert(AuditChainMark).from_select(
        ["chain", "event_id", "hash", "checkpoint_id"],
        select(func.coalesce(E.instance_id, ADMIN_CHAIN_KEY), E.id, E.hash, checkpoint_id).where(E.id.in_(last))))


def _refuse_long_full_run() -> None:
    limit = int(current_app.config.get("AUDIT_ONLINE_FULL_MAX_EVENTS", ONLINE_FULL_MAX_EVENTS))
    events = db.session.scalar(select(func.max(E.id))) or 0  # ids are dense: a count for free
    if events > limit:
        raise Conflict(_("The log holds about %(n)s events: a full verification would outlast this request. "
                         "Run it from the command line: flask --app app audit verify --checkpoint",
                         n=f"{events:,}"), code="too_long_for_a_request")


def verify(actor: Actor | None, *, full: bool, online: bool = False) -> AuditCheckpoint:
    """Run a verification and record its checkpoint (commits the start event first: call it as the
    last thing an entry point does; the entry point commits the checkpoint). ``online`` (a page or
    the API): a full run of a log too large for a request is refused (``Conflict``)."""
    found = None if full else last_checkpoint(clean=True)
    base = Base(found.id, found.last_event_id, found.last_event_hash, found.last_event_at, found.events_total) \
        if found is not None and found.last_event_id is not None else None
    full = full or base is None
    if full and online:
        _refuse_long_full_run()
    record_admin_event(actor, ACTION, record_type="audit_checkpoint", record_id=None,
                       data={"full": full, "base": base.id if base else None})
    commit()
    started = utcnow()
    with read_only():
        _snapshot()
        result = _full() if full else _incremental(base)  # type: ignore[arg-type]
    last = result.last
    checkpoint = AuditCheckpoint(
        full=result.full, base_id=base.id if base and not result.full else None, started_at=started,
        finished_at=utcnow(), by_id=actor.id if actor else None, by_name=actor.name if actor else SYSTEM_NAME,
        first_event_id=result.first_event_id, last_event_id=last.id if last else (base.last_event_id if base else None),
        last_event_hash=last.hash if last else (base.last_event_hash if base else None),
        last_event_at=last.at if last else (base.last_event_at if base else None), events_checked=result.events_checked,
        chains_checked=result.chains_checked, events_total=result.events_total,
        problem_count=len(result.problems), problems=result.problems[:MAX_PROBLEMS])
    db.session.add(checkpoint)
    db.session.flush()
    if not result.problems and checkpoint.last_event_id is not None:
        if result.full:
            _replace_marks(checkpoint.last_event_id, checkpoint.id)
        else:
            _upsert_marks(result.heads, checkpoint.id)
    return checkpoint


def view(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """A checkpoint for the API and the page."""
    seconds = (checkpoint.finished_at - checkpoint.started_at).total_seconds()
    return {
        "id": checkpoint.id, "full": checkpoint.full, "base_id": checkpoint.base_id,
        "started_at": checkpoint.started_at, "finished_at": checkpoint.finished_at,
        "seconds": round(seconds, 3), "by_id": checkpoint.by_id, "by_name": label(checkpoint.by_name),
        "first_event_id": checkpoint.first_event_id, "last_event_id": checkpoint.last_event_id,
        "last_event_hash": checkpoint.last_event_hash, "last_event_at": checkpoint.last_event_at,
        "events_checked": checkpoint.events_checked, "chains_checked": checkpoint.chains_checked,
        "events_total": checkpoint.events_total, "problem_count": checkpoint.problem_count,
        "problems": checkpoint.problems, "clean": checkpoint.clean,
    }


def recent(limit: int = 20) -> list[AuditCheckpoint]:
    return list(db.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(limit)))
