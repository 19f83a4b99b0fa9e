"""Cross-check the stored views of every process instance (``flask --app app check consistency``).

One step of a process writes the same fact into several places in one transaction
(``app/db.py``): the engine state (``process_instance.state``), the status mirrored
on the instance and on its record, the inbox projection (``human_task``), the hours
ledger and the hash-chained event log. If that transaction boundary holds, they
never disagree, not even after a process is killed mid-request; this module proves
it for a given database. It only reads: a problem is for a person to look at.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import lazyload

from workflows import LoadedInstance

from ..extensions import db
from ..models import Claim, Enrollment, HourEntry, HumanTask, ProcessEvent, ProcessInstance
from .audit import verify_chain
from .engine import bundle_for, engine

# What each check compares (the CLI prints them in this order).
CHECKS = {
    "state": "the engine state loads",
    "status": "instance status/completed = the loaded engine's",
    "tasks": "open human_task rows = the engine's READY user tasks",
    "task_events": "every completed task row has its decision event",
    "record": "the record's status (and approved_at) mirror the instance",
    "ledger": "a claim has a ledger entry iff approved, with its registered hours",
    "chain": "the event hash chain verifies",
    "orphans": "no record without its instance, no ledger entry without its claim",
}


@dataclass(frozen=True)
class Problem:
    instance_id: int | None  # None: a row that belongs to no instance (see ``_orphans``)
    check: str
    what: str


@dataclass
class Report:
    checked: Counter[str] = field(default_factory=Counter)  # items examined, per check
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def failed(self) -> Counter[str]:
        return Counter(p.check for p in self.problems)

    def add(self, instance_id: int | None, check: str, what: str) -> None:
        self.problems.append(Problem(instance_id, check, what))


@dataclass(frozen=True)
class EngineView:
    completed: bool
    status: str | None
    ready_ids: frozenset[str]


def engine_view(loaded: LoadedInstance) -> EngineView:
    """What the engine says, derived as ``LoadedInstance.snapshot`` does but without
    pruning or serialising (nothing is saved here, so nothing is changed either)."""
    completed = loaded.workflow.is_completed()  # DeepWorkflow.is_completed, workflows/engine.py
    ready = [] if completed else loaded.ready_tasks()
    source = loaded.status_source(ready)
    return EngineView(completed, source.properties.get("status") if source else None,
                      frozenset(task.id for task in ready))


def check_all(batch: int = 500) -> Report:
    """Walk every instance in id order, ``batch`` at a time (memory stays bounded)."""
    report = Report()
    _consistent_snapshot()
    last_id = 0
    while True:
        instances = db.session.scalars(select(ProcessInstance).where(ProcessInstance.id > last_id)
                                       .order_by(ProcessInstance.id).limit(batch)).all()
        if not instances:
            break
        check_instances(report, instances)
        last_id = instances[-1].id
        db.session.expunge_all()  # the walk keeps nothing of a finished batch
    _orphans(report)
    return report


def check_instances(report: Report, instances: list[ProcessInstance]) -> None:
    """Check a batch of instances against their task rows, events, records and ledger entries.

    Reads each kind of row once for the whole batch (five queries, whatever its size).
    """
    ids = [i.id for i in instances]
    rows, events = defaultdict(list), defaultdict(list)
    for row in db.session.scalars(select(HumanTask).where(HumanTask.instance_id.in_(ids))):
        rows[row.instance_id].append(row)
    for event in db.session.scalars(select(ProcessEvent).where(ProcessEvent.instance_id.in_(ids))
                                    .order_by(ProcessEvent.instance_id, ProcessEvent.id)):
        events[event.instance_id].append(event)
    records = {kind: _by_id(model, [i.record_id for i in instances if i.record_type == kind])
               for kind, model in (("claim", Claim), ("enrollment", Enrollment))}
    entries = {e.source_id: e for e in db.session.scalars(select(HourEntry).where(
        HourEntry.source == "claim", HourEntry.source_id.in_(list(records["claim"]))))}
    for instance in instances:
        record = records.get(instance.record_type, {}).get(instance.record_id)
        _check_instance(report, instance, rows[instance.id], events[instance.id])
        _check_record(report, instance, record, entries)


def _consistent_snapshot() -> None:
    """Read every batch from one snapshot, so that a concurrent commit cannot show up as a
    disagreement between two queries. PostgreSQL: REPEATABLE READ, if the session has not
    begun yet. SQLite already reads one snapshot per transaction."""
    session = db.session()  # the scoped session's current Session
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _by_id(model: Any, ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    query = select(model).where(model.id.in_(ids)).options(lazyload("*"))  # no joined trainee rows
    return {r.id: r for r in db.session.scalars(query)}


def _check_instance(report: Report, instance: ProcessInstance, rows: list[HumanTask],
                    events: list[ProcessEvent]) -> None:
    iid = instance.id
    report.checked["state"] += 1
    try:
        view = engine_view(engine().load(bundle_for(instance.definition_id), instance.state))
    except Exception as exc:  # whatever the failure, it is the finding
        report.add(iid, "state", f"engine state does not load: {type(exc).__name__}: {exc}"[:300])
        view = None
    if view is not None:
        report.checked["status"] += 1
        # A cancelled workflow reached no end event: its status is the one the cancelling service set.
        expected = instance.status if instance.cancelled else view.status
        if (instance.status, instance.completed) != (expected, view.completed):
            report.add(iid, "status", f"instance says status={instance.status!r} completed={instance.completed}, "
                                      f"engine says status={view.status!r} completed={view.completed}")
        report.checked["tasks"] += 1
        open_ids = Counter(r.engine_task_id for r in rows if r.status == "open")
        if set(open_ids) != view.ready_ids or any(n > 1 for n in open_ids.values()):
            report.add(iid, "tasks", f"open task rows {sorted(open_ids.elements())} != engine READY user "
                                     f"tasks {sorted(view.ready_ids)}")
    # A completed row is written only by ``processes._complete``, which records one event with
    # the task's spec and decision in the same transaction: the two multisets must be equal.
    report.checked["task_events"] += 1
    done = Counter((r.task_spec, r.decision) for r in rows if r.status == "completed")
    decided = Counter((e.task_spec, e.decision) for e in events if e.decision is not None)
    if done != decided:
        report.add(iid, "task_events", f"completed task rows {dict(done)} != decision events {dict(decided)}")
    report.checked["chain"] += 1
    for problem in verify_chain(instance, events):
        report.add(iid, "chain", problem)


def _check_record(report: Report, instance: ProcessInstance, record: Any,
                  entries: dict[int, HourEntry]) -> None:
    iid = instance.id
    report.checked["record"] += 1
    name = f"{instance.record_type} {instance.record_id}"
    if record is None:
        report.add(iid, "record", f"{name} does not exist")
        return
    if record.instance_id != iid:
        report.add(iid, "record", f"{name} points to instance {record.instance_id}")
    if isinstance(record, Claim) and record.status == "deleted":
        # Deleting a draft cancels the workflow: no end event, so no engine status to mirror.
        if not (instance.cancelled and instance.completed and record.deleted_at is not None):
            report.add(iid, "record", f"deleted {name}: instance cancelled={instance.cancelled} "
                                      f"completed={instance.completed}, deleted_at={record.deleted_at}")
    elif record.status != instance.status:
        report.add(iid, "record", f"{name} status {record.status!r} != instance status {instance.status!r}")
    if isinstance(record, Enrollment) and (record.approved_at is not None) != (record.status == "approved"):
        report.add(iid, "record", f"{name} status {record.status!r} with approved_at={record.approved_at}")
    if isinstance(record, Claim):
        report.checked["ledger"] += 1
        entry = entries.get(record.id)
        if (entry is not None) != (record.status == "approved"):
            report.add(iid, "ledger", f"{name} status {record.status!r} "
                                      f"{'has ledger entry ' + str(entry.id) if entry else 'has no ledger entry'}")
        elif entry is not None and (entry.hours, entry.user_id) != (record.hours_registered, record.trainee_id):
            report.add(iid, "ledger", f"{name}: ledger entry {entry.id} credits {entry.hours} h to user "
                                      f"{entry.user_id}, claim registered {record.hours_registered} h "
                                      f"for user {record.trainee_id}")


def _orphans(report: Report) -> None:
    """Rows the instance walk cannot reach: records without (their) instance, ledger entries
    of claims that do not exist. Each query returns only the offending ids."""
    for kind, model in (("claim", Claim), ("enrollment", Enrollment)):
        report.checked["orphans"] += 1
        query = (select(model.id, model.instance_id)
                 .outerjoin(ProcessInstance, ProcessInstance.id == model.instance_id)
                 .where(or_(ProcessInstance.id.is_(None), ProcessInstance.record_type != kind,
                            ProcessInstance.record_id != model.id)))
        for record_id, instance_id in db.session.execute(query):
            report.add(None, "orphans", f"{kind} {record_id} has no instance of its own (instance_id={instance_id})")
    report.checked["orphans"] += 1
    query = (select(HourEntry.id, HourEntry.source_id).outerjoin(Claim, Claim.id == HourEntry.source_id)
             .where(HourEntry.source == "claim", Claim.id.is_(None)))
    for entry_id, claim_id in db.session.execute(query):
        report.add(None, "orphans", f"ledger entry {entry_id} credits claim {claim_id}, which does not exist")
