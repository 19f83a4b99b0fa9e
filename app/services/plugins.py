"""Process plug-ins: what one kind of record brings to the shared runner, inbox and pages.

A review process is one package, ``app/processes/<name>/``, whose ``plugin.py`` holds a
``PLUGIN`` (a ``ProcessPlugin``), plus one diagram in ``bpmn/``. The plug-in declares:

* its record type, the process keys it serves (with their names) and its model;
* its **lanes**: who may act in each lane of its diagrams, resolved from the record to a
  *list* of candidates: a person (``person("trainee_id")``) or the reviewers of some
  organisations (``reviewers(lambda change: [change.old_parent_id])``);
* its **service-task handlers**: the only Python its diagrams may call (no other plug-in's);
* its **step forms**: marshmallow schemas a user task may name in its ``form`` property,
  with the rule that applies the inputs to the record;
* the decisions and flow-log actions of its own, with their words;
* what the inbox shows of a record (``summary``), who may see one (``visible``), the
  template that shows one on the task page, and its own consistency checks.

Generic code never imports a process: ``discover()`` (called by ``create_app``) finds the
packages, and everything else asks the registry kept on the app.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import marshmallow as ma
from flask import current_app

from workflows import Snapshot, TaskInfo

from ..db import fresh
from ..errors import NotFound
from ..extensions import db
from ..i18n import _
from ..validation import StrictSchema
from .features import NO_ROLE, Feature, NavLink, features
from .lanes import Candidate, Lane, org_reviewers, person, reviewers

# Plug-ins declare their lanes with these, imported from here with the rest of the declaration.
__all__ = ["Candidate", "Decision", "Fact", "Feature", "Lane", "NO_ROLE", "NavLink", "NoInputs", "ProcessPlugin",
           "Profile", "Registry", "StepContext", "StepForm", "Summary", "discover", "features", "for_key", "for_type",
           "org_reviewers", "person", "public_endpoints", "registry", "reviewers"]

if TYPE_CHECKING:  # pragma: no cover
    from ..models import ProcessEvent, ProcessInstance
    from .actors import Actor
    from .consistency import Report

PLUGIN_PACKAGE = "app.processes"

Handler = Callable[[Any, dict[str, Any], dict[str, Any]], dict[str, Any] | None]


# -- step forms, decisions, what the inbox shows -----------------------------------------------

class NoInputs(StrictSchema):
    """The schema of a step form that takes nothing but the decision (its rule still applies)."""

@dataclass
class StepContext:
    """What a step form's rule gets: the record, the validated inputs and who decides what."""

    record: Any
    values: dict[str, Any]
    decision: str
    task: TaskInfo
    actor: Actor


@dataclass(frozen=True)
class StepForm:
    """The inputs a step takes beyond decision and comment (hours to register, a result…).

    ``schema`` validates them (unknown fields are refused); ``apply`` checks them against the
    record, writes them, and returns what the event log keeps of them. ``defaults`` fills the
    web form from the record. ``decisions`` limits the inputs to some decisions (approving
    takes hours, rejecting does not); None means every decision.
    """

    schema: type[ma.Schema]
    apply: Callable[[StepContext], dict[str, Any] | None]
    defaults: Callable[[Any], dict[str, Any]] = field(default=lambda record: {})
    decisions: frozenset[str] | None = None
    describe: Callable[[Any], dict[str, str]] = field(default=lambda record: {})  # field -> hint

    def takes(self, decision: str) -> bool:
        return self.decisions is None or decision in self.decisions

    def load(self, values: dict[str, Any]) -> dict[str, Any]:
        """The validated inputs (``ma.ValidationError`` if they are not). One schema instance
        serves every call: a batch of a thousand decisions builds it once."""
        loader = self.__dict__.get("_loader")
        if loader is None:
            loader = self.schema()
            object.__setattr__(self, "_loader", loader)
        return loader.load(values)


@dataclass(frozen=True)
class Decision:
    """A decision's words: the button (``label``) and how the flow log reads it (``remark``)."""

    label: Any
    remark: Any = None


@dataclass(frozen=True)
class Fact:
    """A labelled fact of a record in the inbox. ``label`` is a message id; ``value`` is shown as
    it is, or translated too when it is itself a label (``translate``)."""

    label: str
    value: Any
    translate: bool = False


@dataclass(frozen=True)
class Summary:
    """What the inbox shows of a record: whom it is about, a title and a few labelled facts.

    Stored on the task row in no language; words are chosen when it is shown.
    """

    subject: str
    title: str
    subject_id_number: str | None = None  # masked
    facts: tuple[Fact, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "subject_id_number": self.subject_id_number, "title": self.title,
                "facts": [{"label": f.label, "value": f.value, "translate": f.translate} for f in self.facts]}


@dataclass(frozen=True)
class Profile:
    """A person's registration details for a year (报名资料), as the plug-in holding them shows them:
    what the printed hour record carries, the person confirms, and the policy's title level reads."""

    facts: tuple[Fact, ...]
    approved: bool  # reviewed and in force (only such details may be confirmed and printed)
    senior: bool = False  # a senior title (正高级 / 高级): some regions ask more hours of them
    unit: str = ""
    url: str | None = None  # where the person sees or changes them
    unit_id: int | None = None  # whose authority's windows and policy apply (``services/policy.py``)


# -- the plug-in ----------------------------------------------------------------------------------

class ProcessPlugin:
    """The declaration of one kind of record and its process(es); subclass it in ``plugin.py``."""

    name: ClassVar[str]  # the package name
    order: ClassVar[int] = 50  # where it comes in lists, menus and the demo data (lower first)
    record_type: ClassVar[str]
    processes: ClassVar[dict[str, str]]  # process key -> its name (a data label, e.g. 人员调转)
    model: ClassVar[type]
    label: ClassVar[Any]  # what one record is called
    lanes: ClassVar[dict[str, Lane]]
    handlers: ClassVar[dict[str, Handler]] = {}
    forms: ClassVar[dict[str, StepForm]] = {}
    decisions: ClassVar[dict[str, Decision]] = {}
    actions: ClassVar[dict[str, Any]] = {}
    record_template: ClassVar[str]
    log_caption: ClassVar[Any] = None  # the record's flow log, if the platform's manuals name it
    has_files: ClassVar[bool] = False  # records carry attachments (``files``): the task page shows them
    nav: ClassVar[tuple[NavLink, ...]] = ()
    # Its endpoints (API or page) anyone may call without logging in (a public registration form)
    public_endpoints: ClassVar[frozenset[str]] = frozenset()
    checks: ClassVar[dict[str, str]] = {}  # consistency checks of its own: name -> what it compares
    # The ledger sources (``HourEntry.source``) its records credit -> what the hour record calls them
    ledger_sources: ClassVar[dict[str, Any]] = {}

    # -- reading records --------------------------------------------------------------------
    def get(self, record_id: int, *, refresh: bool = False) -> Any:
        """The record; ``refresh``: read again from the database (after the instance's lock)."""
        record = fresh(self.model, record_id) if refresh else db.session.get(self.model, record_id)
        if record is None:
            raise NotFound(_("Record not found."))
        return record

    def get_many(self, record_ids: Iterable[int]) -> dict[int, Any]:
        ids = sorted(set(record_ids))
        if not ids:
            return {}
        rows = db.session.scalars(db.select(self.model).where(self.model.id.in_(ids)))
        return {row.id: row for row in rows}

    def visible(self, record: Any, actor: Actor) -> bool:
        """Who may read a record (and its process page); process admins and auditors always may."""
        raise NotImplementedError

    def readable(self, record: Any, actor: Actor) -> bool:
        return actor.can_read_all_processes or self.visible(record, actor)

    # -- what the runner and the inbox need --------------------------------------------------
    def summary(self, record: Any) -> Summary:
        raise NotImplementedError

    def subject_user_id(self, record: Any) -> int | None:
        return None

    def engine_data(self, record: Any) -> dict[str, Any]:
        """Facts of the record its diagrams may read in expressions (a timer's date, a gateway's
        condition), refreshed into the workflow's data at the start and at every completed step.
        Plain JSON values only; the record stays the source of truth."""
        return {}

    def year(self, record: Any) -> int | None:
        return getattr(record, "year", None)

    def form_for(self, task: TaskInfo) -> StepForm | None:
        """The step's input form, by the ``form`` property the diagram gives it."""
        return self.forms.get(task.form) if task.form else None

    def editable(self, task: TaskInfo) -> bool:
        """Whether the record may be edited while ``task`` (the person's own step) waits."""
        return task.editable

    def on_saved(self, record: Any, snapshot: Snapshot) -> None:
        """Mirror the instance's status onto the record (lists filter by it)."""
        if snapshot.status:
            record.status = snapshot.status
            record.status_label = snapshot.status_label or snapshot.status

    def present(self, record: Any, actor: Actor) -> dict[str, Any]:
        """What ``record_template`` shows of the record on the task page."""
        raise NotImplementedError

    def record_url(self, record: Any, actor: Actor) -> str | None:
        """The page where ``actor`` works on the record, if the plug-in has one for them."""
        return None

    def files(self, record: Any) -> list[Any]:
        """Attachments shown with the record; a plug-in with files returns them."""
        return []

    def profile(self, user_id: int, year: int) -> Profile | None:
        """The person's registration details for ``year``, if this plug-in's records hold them."""
        return None

    def log_remark(self, event: ProcessEvent) -> list[str]:
        """Words of the plug-in's own for an event in the flow log (after the decision's)."""
        return []

    # -- consistency ----------------------------------------------------------------------------
    def check_record(self, report: Report, instance: ProcessInstance, record: Any,
                     context: dict[str, Any]) -> None:
        """Checks of the plug-in's own on one record (beyond status and instance links)."""

    def check_context(self, records: list[Any]) -> dict[str, Any]:
        """Rows a batch of ``check_record`` calls needs, read once for the batch."""
        return {}

    def check_orphans(self, report: Report) -> None:
        """Rows of the plug-in that no instance walk reaches (e.g. ledger entries of lost records)."""

    # -- the rest of the app --------------------------------------------------------------------
    def blueprints(self) -> tuple[list[Any], list[Any]]:
        """(API blueprints, page blueprints); ``create_app`` registers them."""
        return [], []

    def demo(self, world: Any) -> None:
        """Add the plug-in's demo data (``flask --app app demo``); must be idempotent."""

    def __repr__(self) -> str:
        return f"<ProcessPlugin {self.name}>"


def public_endpoints() -> frozenset[str]:
    """The endpoints the plug-ins open to anyone (no login), read once per app."""
    found = current_app.extensions.get("plugin_public_endpoints")
    if found is None:
        found = frozenset(e for plugin in current_app.extensions["plugins"] for e in plugin.public_endpoints)
        current_app.extensions["plugin_public_endpoints"] = found
    return found


# -- the registry ---------------------------------------------------------------------------------

class Registry:
    """Every discovered plug-in, by package name, record type and process key."""

    def __init__(self, plugins: Iterable[ProcessPlugin] = ()):
        self.by_name: dict[str, ProcessPlugin] = {}
        self.by_type: dict[str, ProcessPlugin] = {}
        self.by_key: dict[str, ProcessPlugin] = {}
        self.handlers: dict[str, Handler] = {}
        self._candidate_roles: tuple[frozenset[str] | None] | None = None  # (the answer,) once asked
        for plugin in plugins:
            self.add(plugin)

    def add(self, plugin: ProcessPlugin) -> None:
        clashes = ([f"record type {plugin.record_type!r}"] if plugin.record_type in self.by_type else []) \
            + [f"process key {k!r}" for k in plugin.processes if k in self.by_key] \
            + [f"handler {h!r}" for h in plugin.handlers if h in self.handlers]
        if plugin.name in self.by_name or clashes:
            raise ValueError(f"plug-in {plugin.name} clashes with another: {', '.join(clashes) or 'name'}")
        self.by_name[plugin.name] = plugin
        self.by_type[plugin.record_type] = plugin
        self.by_key.update(dict.fromkeys(plugin.processes, plugin))
        self.handlers.update(plugin.handlers)
        self._candidate_roles = None

    def __iter__(self) -> Iterator[ProcessPlugin]:
        return iter(self.by_name.values())

    def for_type(self, record_type: str) -> ProcessPlugin:
        return self.by_type[record_type]

    def for_key(self, process_key: str) -> ProcessPlugin | None:
        return self.by_key.get(process_key)

    def candidate_roles(self) -> frozenset[str] | None:
        """The roles any lane's candidates may hold; None if some lane does not say."""
        if self._candidate_roles is None:
            lanes = [lane for plugin in self for lane in plugin.lanes.values() if not lane.personal]
            named = None if any(lane.roles is None for lane in lanes) else \
                frozenset(role for lane in lanes for role in lane.roles or ())
            self._candidate_roles = (named,)
        return self._candidate_roles[0]

    def process_names(self) -> dict[str, str]:
        """Every process key with its name, in plug-in order."""
        return {key: name for plugin in self for key, name in plugin.processes.items()}

    def profile_of(self, user_id: int, year: int) -> Profile | None:
        """The person's registration details for the year, from the first plug-in that holds them."""
        for plugin in self:
            found = plugin.profile(user_id, year)
            if found is not None:
                return found
        return None

    def ledger_sources(self) -> dict[str, Any]:
        """Every ledger source the plug-ins and features credit -> its label, in their order."""
        named = {source: name for plugin in self for source, name in plugin.ledger_sources.items()}
        for feature in features():
            named.update(feature.ledger_sources)
        return named


def discover(package: str = PLUGIN_PACKAGE) -> Registry:
    """Import ``<package>.<name>.plugin`` for every sub-package and collect their ``PLUGIN``."""
    root = importlib.import_module(package)
    found = []
    for info in pkgutil.iter_modules(root.__path__):
        if not info.ispkg:
            continue
        module = importlib.import_module(f"{package}.{info.name}.plugin")
        plugin = getattr(module, "PLUGIN", None)
        if not isinstance(plugin, ProcessPlugin):
            raise TypeError(f"{package}.{info.name}.plugin must define PLUGIN, a ProcessPlugin")
        found.append(plugin)
    return Registry(sorted(found, key=lambda p: (p.order, p.name)))


def registry() -> Registry:
    return current_app.extensions["plugins"]


def for_type(record_type: str) -> ProcessPlugin:
    return registry().for_type(record_type)


def for_key(process_key: str) -> ProcessPlugin | None:
    return registry().for_key(process_key)
