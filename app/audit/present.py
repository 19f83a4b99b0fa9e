"""Events in words, as the process pages show them: the action's and decision's labels (the process's
plug-in's own first, then the shared ones, then those of features such as this one), the process's
name, the step's name in its diagram version, the record's kind.

A ``Describer`` serves one page or one export: it keeps what it looked up (labels, the instances'
diagram versions) so that a million rows cost a dictionary lookup each.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, select

from ..extensions import db
from ..i18n import _l, label, translator
from ..models import ProcessInstance
from ..services import plugins
from ..services.engine import bundle_for
from ..services.labels import ACTIONS, decision_label
from .search import COLUMNS as SEARCH_COLUMNS

# The kinds of record an event of no instance may be about, besides the plug-ins' records.
# The record types of events outside any process; a feature adds its own (``Feature.record_types``).
RECORD_TYPES = {
    "user": _l("Account"), "organisation": _l("Organisation"), "role_assignment": _l("Role"),
    "process_definition": _l("Process definition"), "process_instance": _l("Process instance"),
    "audit_checkpoint": _l("Integrity check"),
}


def record_types() -> dict[str, Any]:
    """Every record type an administrative event may name, with its words."""
    kinds = dict(RECORD_TYPES)
    for feature in plugins.features():
        kinds.update(feature.record_types)
    return kinds


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str) \
        if value not in (None, {}, []) else ""


class Describer:
    def __init__(self) -> None:
        self.registry = plugins.registry()
        self.translate = translator()
        self.process_names = self.registry.process_names()
        self.feature_actions: dict[str, Any] = {}
        for feature in plugins.features():
            self.feature_actions.update(feature.actions)
        self._actions: dict[tuple[str | None, str], str] = {}
        self._decisions: dict[tuple[str | None, str | None], str] = {}
        self._definitions: dict[int, int] = {}  # instance -> its diagram version
        self._tasks: dict[tuple[int, str], str] = {}
        self._kinds: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._processes: dict[str, str] = {}

    def _plugin(self, row: Any) -> plugins.ProcessPlugin | None:
        if row.process_key:
            return self.registry.for_key(row.process_key)
        return self.registry.by_type.get(row.record_type) if row.record_type else None

    def action_label(self, row: Any) -> str:
        key = (row.process_key or row.record_type, row.action)
        found = self._actions.get(key)
        if found is None:
            plugin = self._plugin(row)
            own = plugin.actions.get(row.action) if plugin is not None else None
            found = self._actions[key] = str(own or ACTIONS.get(row.action) or self.feature_actions.get(row.action)
                                              or row.action)
        return found

    def decision_label(self, row: Any) -> str:
        key = (row.process_key, row.decision)
        found = self._decisions.get(key)
        if found is None:
            found = self._decisions[key] = decision_label(self._plugin(row), row.decision)
        return found

    def process_name(self, process_key: str | None) -> str:
        if not process_key:
            return ""
        found = self._processes.get(process_key)
        if found is None:
            name = self.process_names.get(process_key)
            found = self._processes[process_key] = label(name, self.translate) if name else process_key
        return found

    def record_text(self, record_type: str | None, record_id: int | None) -> str:
        if not record_type:
            return ""
        kind = self._kinds.get(record_type)
        if kind is None:
            plugin = self.registry.by_type.get(record_type)
            kind = self._kinds[record_type] = str(plugin.label) if plugin is not None else \
                str(record_types().get(record_type, record_type))
        return f"{kind} #{record_id}" if record_id is not None else kind

    def prepare(self, rows: Sequence[Any]) -> None:
        """Read the diagram version of the batch's instances (one query) for the steps' names."""
        wanted = {row.instance_id for row in rows if row.instance_id and row.task_spec} - set(self._definitions)
        if wanted:
            self._definitions.update(db.session.execute(
                select(ProcessInstance.id, ProcessInstance.definition_id).where(ProcessInstance.id.in_(wanted))).all())

    def step(self, row: Any) -> str:
        if not row.task_spec:
            return ""
        definition = self._definitions.get(row.instance_id)
        if definition is None:
            return row.task_spec
        key = (definition, row.task_spec)
        found = self._tasks.get(key)
        if found is None:
            info = bundle_for(definition).tasks.get(row.task_spec)
            found = self._tasks[key] = label(info.name, self.translate) if info else row.task_spec
        return found

    def actor(self, row: Any) -> str:
        name = self._names.get(row.actor_name)
        if name is None:
            name = self._names[row.actor_name] = label(row.actor_name, self.translate)
        return name

    def item(self, row: Any) -> dict[str, Any]:
        """One event for the API and the page: the stored fields and their words."""
        return {
            "id": row.id, "at": row.at, "instance_id": row.instance_id,
            "actor_id": row.actor_id, "actor_name": self.actor(row),
            "actor_org_id": row.actor_org_id, "actor_org_name": row.actor_org_name,
            "action": row.action, "action_label": self.action_label(row),
            "process_key": row.process_key, "process_name": self.process_name(row.process_key),
            "record_type": row.record_type, "record_id": row.record_id,
            "record_label": self.record_text(row.record_type, row.record_id),
            "task_spec": row.task_spec, "task_name": self.step(row),
            "decision": row.decision, "decision_label": self.decision_label(row),
            "comment": row.comment, "data": row.data or {}, "hash": row.hash, "prev_hash": row.prev_hash,
        }

    def cells(self, row: Any, local: Any) -> list[Any]:
        """One event as an export row (``COLUMNS``), from ``EXPORT_COLUMNS`` (the data as stored text);
        ``local`` is the time zone its time is shown in."""
        data, old, new = row.data or "", "", ""
        if '"old"' in data or '"new"' in data:  # an administrative change: its values apart
            values = json.loads(data)
            old, new = _dumps(values.pop("old", None)), _dumps(values.pop("new", None))
            data = _dumps(values)
        elif data == "{}":
            data = ""
        at: datetime = row.at.astimezone(local).replace(tzinfo=None)
        return [row.id, at, row.actor_id, self.actor(row), row.actor_org_name or "", row.action,
                self.action_label(row), self.process_name(row.process_key), row.instance_id,
                self.record_text(row.record_type, row.record_id), self.step(row), self.decision_label(row),
                row.comment or "", old, new, data]


# The export's columns, in ``Describer.cells`` order.
COLUMNS = (_l("No."), _l("Time"), _l("Person's id"), _l("Person"), _l("Acting for"), _l("Action code"),
           _l("Action"), _l("Process"), _l("Instance"), _l("Record"), _l("Task"), _l("Decision"), _l("Comment"),
           _l("Old values"), _l("New values"), _l("Data"))
# What an export reads: the search's columns, with the data as its stored JSON text (an export writes
# it out again: reading it as text saves parsing a million of them).
EXPORT_COLUMNS = tuple(cast(column, String).label("data") if column.name == "data" else column
                       for column in SEARCH_COLUMNS)
