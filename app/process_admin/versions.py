"""Diagram versions and drafts: list, save, validate with a simulation, diff and publish.

A draft is a ``process_definition`` row with ``status = 'draft'`` and no version: it is never
run, several may exist per process, and it may hold problems while it is being edited (they
are reported on every save). Publishing re-runs every check and the simulation; any problem
refuses it. Every change is an administrative audit event.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, undefer

from workflows import DiagramError, ProcessBundle, content_hash, diff_bundles, simulate
from workflows.specs import _main_process_id
from workflows.validation import BPMN_NS, parse_xml

from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..i18n import _
from ..models import HumanTask, ProcessDefinition, ProcessInstance, RoleAssignment, User, utcnow
from ..models.process import DRAFT, PUBLISHED
from ..services import definitions, plugins
from ..services.actors import Actor
from ..services.audit import record_admin_event
from ..services.engine import bundle_for, engine
from ..services.labels import decision_label, known_decisions

MAX_DIAGRAM_BYTES = 2 * 1024 * 1024
RECORD_TYPE = "process_definition"  # what the audit events of versions and drafts are about
AFFECTED_LIMIT = 200
# A request walks a diagram's paths for at most this long (the shipped diagrams take milliseconds;
# a diagram with many parallel reviews can take far longer); a walk cut short says so (truncated).
SIMULATION_SECONDS = 5.0


@dataclass
class Report:
    """What validating a diagram found: ``problems`` refuse publishing, ``warnings`` do not."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    simulation: dict[str, Any] | None = None
    marks: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": self.problems, "warnings": self.warnings,
                "simulation": self.simulation, "marks": self.marks}


# -- reading --------------------------------------------------------------------------------------

def get(definition_id: int, *, with_xml: bool = False) -> ProcessDefinition:
    options = [undefer(ProcessDefinition.bpmn_xml)] if with_xml else []
    found = db.session.get(ProcessDefinition, definition_id, options=options)
    if found is None:
        raise NotFound(_("Process definition not found."))
    return found


def running_counts() -> dict[int, int]:
    """Instances not finished, per definition (one grouped read of an index)."""
    rows = db.session.execute(select(ProcessInstance.definition_id, func.count())
                              .where(ProcessInstance.completed.is_(False))
                              .group_by(ProcessInstance.definition_id))
    return {definition_id: count for definition_id, count in rows}


def listing() -> list[dict[str, Any]]:
    """Every process key with its versions and drafts, newest first."""
    rows = db.session.scalars(select(ProcessDefinition).options(defer(ProcessDefinition.bpmn_xml))
                              .order_by(ProcessDefinition.process_key, ProcessDefinition.status.desc(),
                                        ProcessDefinition.version.desc(), ProcessDefinition.id.desc())).all()
    running = running_counts()
    people = _names(r for row in rows for r in (row.created_by_id, row.deployed_by_id))
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        plugin = plugins.for_key(row.process_key)
        group = groups.setdefault(row.process_key, {
            "process_key": row.process_key, "name": row.name, "versions": [],
            "plugin": plugin.name if plugin else None})
        if row.published and group["name"] == row.process_key:
            group["name"] = row.name
        group["versions"].append(describe(row, running.get(row.id, 0), people))
    return list(groups.values())


def describe(row: ProcessDefinition, running: int | None = None,
             people: dict[int, str] | None = None) -> dict[str, Any]:
    if people is None:
        people = _names([row.created_by_id, row.deployed_by_id])
    if running is None:
        running = running_counts().get(row.id, 0)
    return {
        "id": row.id, "process_key": row.process_key, "name": row.name, "status": row.status,
        "version": row.version, "content_hash": row.content_hash, "running": running,
        "created_at": row.created_at, "created_by": people.get(row.created_by_id or 0),
        "updated_at": row.updated_at, "based_on_id": row.based_on_id,
        "published_at": row.deployed_at if row.published else None,
        "published_by": people.get(row.deployed_by_id or 0) if row.published else None,
    }


def _names(user_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def vocabulary(process_key: str) -> dict[str, list[dict[str, str]]]:
    """What a diagram of ``process_key`` may use, as its plug-in declares it (for the editor)."""
    plugin = plugins.for_key(process_key)
    if plugin is None:
        return {"lanes": [], "forms": [], "handlers": [], "decisions": []}
    latest = definitions.latest_published(process_key)
    names = _lane_names(latest.bpmn_xml) if latest is not None else {}
    return {
        "lanes": [{"id": lane, "label": names.get(lane, lane)} for lane in plugin.lanes],
        "forms": [{"id": form, "label": form} for form in plugin.forms],
        "handlers": [{"id": handler, "label": handler} for handler in plugin.handlers],
        "decisions": [{"id": d, "label": decision_label(plugin, d)} for d in sorted(known_decisions(plugin))],
    }


def _lane_names(xml: str) -> dict[str, str]:
    try:
        root = parse_xml(xml.encode("utf-8"))
    except DiagramError:
        return {}
    return {lane.get("id"): lane.get("name") or lane.get("id") for lane in root.iter(f"{{{BPMN_NS}}}lane")}


# -- checking a diagram ------------------------------------------------------------------------

class DiagramRefused(Invalid):
    """422: what was sent cannot be a draft of any process. ``problems`` says why in sentences, as
    a saved draft's report does: this message first, then what the parser found (if anything)."""

    def __init__(self, message: str, *, code: str, fields: dict[str, Any] | None = None,
                 details: Iterable[str] = ()):
        super().__init__(message, code=code, fields=fields)
        self.problems = [str(message), *(str(detail) for detail in details)]


def parse(content: bytes) -> tuple[str, ProcessBundle | None, list[str]]:
    """The process key of ``content``, its parsed bundle (None if it does not parse) and why not.

    Refuses (422) what cannot be a draft of any process: not BPMN XML, too large, or a process
    key no plug-in serves.
    """
    if not content.strip():
        raise DiagramRefused(_("The diagram is empty."), code="invalid_diagram", fields={"bpmn": [_("Required.")]})
    if len(content) > MAX_DIAGRAM_BYTES:
        raise DiagramRefused(_("The diagram is larger than 2 MB."), code="invalid_diagram")
    try:
        key = _main_process_id(parse_xml(content))
    except DiagramError as exc:
        raise DiagramRefused(_("This is not a BPMN diagram this service can read."), code="invalid_diagram",
                             fields={"bpmn": exc.problems}, details=exc.problems) from None
    if plugins.for_key(key) is None:
        known = ", ".join(sorted(plugins.registry().by_key))
        raise DiagramRefused(_("No process plug-in serves the process key “%(key)s” (known: %(known)s).",
                               key=key, known=known), code="unknown_process", fields={"bpmn": [key]})
    try:
        return key, engine().parse(content), []
    except DiagramError as exc:
        return key, None, list(exc.problems)


def validate(content: bytes) -> Report:
    """Every check of ``content`` against its plug-in, then a walk of every path."""
    _key, bundle, problems = parse(content)
    report = Report(problems=list(problems))
    if bundle is None:
        return report
    report.problems.extend(definitions.check(bundle))
    result = simulate(bundle, max_seconds=SIMULATION_SECONDS)
    report.simulation = result.as_dict()
    report.marks = result.marks()
    # a path that stops short of an end, a decision that leads nowhere and a loop with no way out
    # refuse publishing; what was not reached or not walked (a bound, a sub-process) is a warning
    blocking = [finding.problem() for finding in (*result.dead_ends, *result.dead_decisions,
                                                  *result.endless_loops)]
    report.problems.extend(blocking)
    report.warnings.extend(f for f in result.problems() if f not in blocking)
    report.warnings.extend(_nobody_can_act(bundle, result.reached))
    report.problems = list(dict.fromkeys(report.problems))
    for problem in report.problems:  # a problem that names an element marks it
        element = problem.split(":", 1)[0]
        if element in bundle.tasks:
            report.marks[element] = "problem"
    return report


def _nobody_can_act(bundle: ProcessBundle, reached: Iterable[str]) -> list[str]:
    """Reached review steps whose lane's roles nobody holds anywhere (nobody could act on them)."""
    plugin = plugins.for_key(bundle.process_id)
    if plugin is None:
        return []
    held = set(db.session.scalars(select(RoleAssignment.role).distinct()))
    found = []
    for element in reached:
        info = bundle.tasks.get(element)
        lane = plugin.lanes.get(info.lane or "") if info is not None and info.is_user_task else None
        if lane is not None and lane.roles is not None and not lane.roles & held:
            found.append(f"{element}: nobody holds a role of lane {info.lane!r} "
                         f"({', '.join(sorted(lane.roles))}), so no candidate could act on it")
    return found


# -- drafts ------------------------------------------------------------------------------------

def create_draft(content: bytes, actor: Actor, based_on: int | None = None) -> tuple[ProcessDefinition, Report]:
    key, bundle, problems = parse(content)
    if based_on is not None:
        base = get(based_on)
        if base.process_key != key:
            raise Invalid(_("The diagram is of another process than the version it starts from."),
                          code="process_mismatch")
    now = utcnow()
    draft = ProcessDefinition(
        process_key=key, status=DRAFT, version=None, name=(bundle.name if bundle else key)[:120],
        content_hash=content_hash(content), bpmn_xml=content.decode("utf-8"), created_at=now, updated_at=now,
        created_by_id=actor.id, based_on_id=based_on, deployed_at=None, deployed_by_id=None)
    db.session.add(draft)
    db.session.flush()
    record_admin_event(actor, "draft_create", record_type=RECORD_TYPE, record_id=draft.id, process_key=key,
                       new={"content_hash": draft.content_hash, "based_on": based_on})
    return draft, _save_report(bundle, problems)


def update_draft(definition_id: int, content: bytes, actor: Actor) -> tuple[ProcessDefinition, Report]:
    draft = _draft(definition_id)
    key, bundle, problems = parse(content)
    if key != draft.process_key:
        raise Invalid(_("A draft of “%(key)s” cannot become a diagram of another process.", key=draft.process_key),
                      code="process_mismatch")
    old = draft.content_hash
    draft.bpmn_xml = content.decode("utf-8")
    draft.content_hash = content_hash(content)
    draft.name = (bundle.name if bundle else key)[:120]
    draft.updated_at = utcnow()
    if old != draft.content_hash:
        record_admin_event(actor, "draft_save", record_type=RECORD_TYPE, record_id=draft.id, process_key=key,
                           old={"content_hash": old}, new={"content_hash": draft.content_hash})
    return draft, _save_report(bundle, problems)


def delete_draft(definition_id: int, actor: Actor) -> None:
    draft = _draft(definition_id)
    record_admin_event(actor, "draft_delete", record_type=RECORD_TYPE, record_id=draft.id,
                       process_key=draft.process_key, old={"content_hash": draft.content_hash})
    db.session.execute(ProcessDefinition.__table__.update()
                       .where(ProcessDefinition.based_on_id == draft.id).values(based_on_id=None))
    db.session.delete(draft)


def _save_report(bundle: ProcessBundle | None, problems: list[str]) -> Report:
    """On save, the checks only (cheap); the simulation runs on ``validate``."""
    report = Report(problems=list(problems))
    if bundle is not None:
        report.problems.extend(definitions.check(bundle))
    return report


def _draft(definition_id: int) -> ProcessDefinition:
    found = db.session.get(ProcessDefinition, definition_id, with_for_update=True,
                           options=[undefer(ProcessDefinition.bpmn_xml)])
    if found is None:
        raise NotFound(_("Process definition not found."))
    if found.published:
        raise Conflict(_("A published version never changes; start a draft from it instead."),
                       code="published")
    return found


# -- publishing --------------------------------------------------------------------------------

def publish(definition_id: int, actor: Actor) -> ProcessDefinition:
    draft = _draft(definition_id)
    content = draft.bpmn_xml.encode("utf-8")
    report = validate(content)
    if not report.ok:
        raise Invalid(_("The diagram was refused; fix its problems first."), code="invalid_diagram",
                      fields={"bpmn": report.problems})
    latest = definitions.latest_published(draft.process_key)
    if latest is not None and latest.content_hash == draft.content_hash:
        raise Conflict(_("This draft is the same as version %(version)s.", version=latest.version),
                       code="unchanged")
    draft.status = PUBLISHED
    draft.version = (latest.version + 1) if latest else 1
    draft.deployed_at = utcnow()
    draft.deployed_by_id = actor.id
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("Another version was published meanwhile; reload and try again."),
                       code="concurrent_publish") from None
    record_admin_event(actor, "publish", record_type=RECORD_TYPE, record_id=draft.id, process_key=draft.process_key,
                       old={"version": latest.version, "definition": latest.id} if latest else None,
                       new={"version": draft.version, "content_hash": draft.content_hash})
    return draft


# -- the difference of two versions -------------------------------------------------------------

def bundle_of(row: ProcessDefinition) -> ProcessBundle:
    if row.published:
        return bundle_for(row.id)
    try:
        return engine().parse(get(row.id, with_xml=True).bpmn_xml)
    except DiagramError as exc:
        raise Invalid(_("The draft does not parse; fix it in the editor first."), code="invalid_diagram",
                      fields={"bpmn": exc.problems}) from None


def diff(from_id: int, to_id: int) -> dict[str, Any]:
    """What changed from one version (or draft) to another, and the running instances of the first
    whose waiting steps are removed or changed."""
    old, new = get(from_id), get(to_id)
    if old.process_key != new.process_key:
        raise Invalid(_("Only versions of the same process can be compared."), code="process_mismatch")
    result = diff_bundles(bundle_of(old), bundle_of(new))
    affected = []
    waiting: dict[int, list[str]] = {}
    for instance_id, spec in db.session.execute(
            select(HumanTask.instance_id, HumanTask.task_spec)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(ProcessInstance.definition_id == old.id, ProcessInstance.completed.is_(False),
                   HumanTask.status.in_(("open", "suspended")))
            .order_by(HumanTask.instance_id)):
        waiting.setdefault(instance_id, []).append(spec)
    ahead = 0  # waiting on an intact step whose way ahead changed (they will meet the change)
    for instance_id, specs in waiting.items():
        hit = result.affects(specs)
        if hit:
            affected.append({"instance_id": instance_id, "steps": hit})
        elif result.affects(specs, ahead=True):
            ahead += 1
    return {"from": describe(old), "to": describe(new), **result.as_dict(), "marks": result.marks(),
            "affected_instances": affected[:AFFECTED_LIMIT], "affected_count": len(affected),
            "ahead_count": ahead}
