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

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, lazyload

from workflows import LoadedInstance, combined_status

from ..extensions import db
from ..models import HourEntry, HumanTask, ProcessEvent, ProcessInstance, TaskCandidate
from . import plugins
from .audit import verify_chain
from .engine import bundle_for, engine

# What each check compares (the CLI prints them in this order; plug-ins add their own).
CHECKS = {
    "state": "the engine state loads",
    "status": "instance status/completed = the loaded engine's",
    "tasks": "open human_task rows = the engine's READY user tasks",
    "candidates": "every task row has candidates, in the task's status and process",
    "task_events": "every completed task row has its decision event",
    "record": "the record's status mirrors the instance (and the plug-in's own record checks)",
    "chain": "the event hash chain verifies",
    "orphans": "no record without its instance, no ledger entry without its record",
    "ledger_sources": "every ledger entry comes from a source a plug-in or feature names; a reversal mirrors its "
              "credit (same person, year, subject, source, negated hours), so a year's total is the sum of "
              "what its sources stand at",
}


def all_checks() -> dict[str, str]:
    checks = dict(CHECKS)
    for plugin in plugins.registry():
        checks.update(plugin.checks)
    for feature in plugins.features():
        checks.update({name: what for name, (what, _check) in feature.checks.items()})
    return checks


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
    status, _label = combined_status(loaded.status_sources(ready))
    return EngineView(completed, status, frozenset(task.id for task in ready))


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
    _ledger(report)
    for feature in plugins.features():  # checks of the parts that are not processes (online courses)
        for _what, check in feature.checks.values():
            check(report)
    return report


def check_instances(report: Report, instances: list[ProcessInstance]) -> None:
    """Check a batch of instances against their task rows, events and records (and what each
    record's plug-in checks of its own). Reads each kind of row once for the whole batch."""
    ids = [i.id for i in instances]
    rows, events = defaultdict(list), defaultdict(list)
    for row in db.session.scalars(select(HumanTask).where(HumanTask.instance_id.in_(ids))):
        rows[row.instance_id].append(row)
    statuses = defaultdict(list)  # each candidate's (status, process key), which mirror its task's
    for task_id, status, key in db.session.execute(
            select(TaskCandidate.task_id, TaskCandidate.status, TaskCandidate.process_key)
            .join(HumanTask, HumanTask.id == TaskCandidate.task_id).where(HumanTask.instance_id.in_(ids))):
        statuses[task_id].append((status, key))
    for event in db.session.scalars(select(ProcessEvent).where(ProcessEvent.instance_id.in_(ids))
                                    .order_by(ProcessEvent.instance_id, ProcessEvent.id)):
        events[event.instance_id].append(event)
    records, contexts = {}, {}
    for kind in {i.record_type for i in instances}:
        plugin = plugins.registry().by_type.get(kind)
        if plugin is not None:
            records[kind] = _by_id(plugin.model, [i.record_id for i in instances if i.record_type == kind])
            contexts[kind] = plugin.check_context(list(records[kind].values()))
    for instance in instances:
        record = records.get(instance.record_type, {}).get(instance.record_id)
        _check_instance(report, instance, rows[instance.id], events[instance.id])
        _check_candidates(report, instance, rows[instance.id], statuses)
        _check_record(report, instance, record, contexts.get(instance.record_type, {}))


def _check_candidates(report: Report, instance: ProcessInstance, rows: list[HumanTask],
                      statuses: dict[int, list[tuple[str, str]]]) -> None:
    for row in rows:
        report.checked["candidates"] += 1
        found = statuses.get(row.id, [])
        if not found or any(mirrored != (row.status, row.process_key) for mirrored in found):
            report.add(instance.id, "candidates", f"task {row.id} ({row.status}) has candidates {found}")


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
    query = select(model).where(model.id.in_(ids)).options(lazyload("*"))  # no joined rows
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


def _check_record(report: Report, instance: ProcessInstance, record: Any, context: dict[str, Any]) -> None:
    iid = instance.id
    report.checked["record"] += 1
    name = f"{instance.record_type} {instance.record_id}"
    plugin = plugins.registry().by_type.get(instance.record_type)
    if plugin is None:
        report.add(iid, "record", f"no plug-in serves record type {instance.record_type!r}")
        return
    if record is None:
        report.add(iid, "record", f"{name} does not exist")
        return
    if record.instance_id != iid:
        report.add(iid, "record", f"{name} points to instance {record.instance_id}")
    if record.status != instance.status:
        report.add(iid, "record", f"{name} status {record.status!r} != instance status {instance.status!r}")
    plugin.check_record(report, instance, record, context)


def _orphans(report: Report) -> None:
    """Rows the instance walk cannot reach: records without (their) instance, ledger entries
    of records that do not exist. Each query returns only the offending ids."""
    for plugin in plugins.registry():
        kind, model = plugin.record_type, plugin.model
        report.checked["orphans"] += 1
        query = (select(model.id, model.instance_id)
                 .outerjoin(ProcessInstance, ProcessInstance.id == model.instance_id)
                 .where(or_(ProcessInstance.id.is_(None), ProcessInstance.record_type != kind,
                            ProcessInstance.record_id != model.id)))
        for record_id, instance_id in db.session.execute(query):
            report.add(None, "orphans", f"{kind} {record_id} has no instance of its own (instance_id={instance_id})")
        report.checked["orphans"] += 1
        query = (select(HourEntry.id, HourEntry.source_id).outerjoin(model, model.id == HourEntry.source_id)
                 .where(HourEntry.source == kind, model.id.is_(None)))
        for entry_id, record_id in db.session.execute(query):
            report.add(None, "orphans", f"ledger entry {entry_id} credits {kind} {record_id}, which does not exist")
        plugin.check_orphans(report)



def _ledger(report: Report) -> None:
    """The ledger as a whole: no source nobody credits, and every reversal the mirror of its credit."""
    known = set(plugins.registry().ledger_sources())
    report.checked["ledger_sources"] += 1
    for source, count in db.session.execute(select(HourEntry.source, func.count(HourEntry.id))
                                            .group_by(HourEntry.source)):
        if source not in known:
            report.add(None, "ledger_sources", f"{count} ledger entries from source {source!r}, which no plug-in names")
    credit = aliased(HourEntry)
    report.checked["ledger_sources"] += 1
    mismatched = (select(HourEntry.id, credit.id).join(credit, credit.id == HourEntry.reverses_id)
                  .where(or_(credit.user_id != HourEntry.user_id, credit.year != HourEntry.year,
                             credit.category != HourEntry.category, credit.source != HourEntry.source,
                             credit.source_id != HourEntry.source_id, credit.hours != -HourEntry.hours,
                             credit.reverses_id.is_not(None))))
    for reversal_id, credit_id in db.session.execute(mismatched):
        report.add(None, "ledger_sources", f"reversal {reversal_id} does not mirror the credit {credit_id} it reverses")
