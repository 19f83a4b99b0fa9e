"""What the process pages show: who may see an instance, its diagram markers, its log.

Read-only helpers over the models and the engine; who may see a record is its
plug-in's rule (``ProcessPlugin.visible``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, current_app
from sqlalchemy import select

from ...errors import NotFound
from ...extensions import db
from ...i18n import _, label
from ...models import ProcessDefinition, ProcessEvent, ProcessInstance
from ...services import plugins
from ...services.actors import Actor
from ...services.engine import bundle_for, engine
from ...services.labels import action_label, decision_label

# The files `make assets` copies; without them the page shows the log and a notice.
VIEWER_FILES = ("vendor/bpmn-js/bpmn-navigated-viewer.production.min.js",
                "vendor/bpmn-js/assets/diagram-js.css", "vendor/bpmn-js/assets/bpmn-js.css",
                "vendor/bpmn-js/assets/bpmn-font/css/bpmn.css")


def viewer_installed() -> bool:
    static = Path(current_app.static_folder or "")
    return all((static / name).is_file() for name in VIEWER_FILES)


def record_label(kind: str) -> str:
    plugin = plugins.registry().by_type.get(kind)
    return str(plugin.label) if plugin else kind


# -- access ---------------------------------------------------------------------------

def readable_instance(instance_id: int, actor: Actor | None) -> ProcessInstance:
    """The instance if this actor may see it; 404 otherwise (ids are not to be probed)."""
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None or actor is None:
        abort(404)
    if actor.can_read_all_processes:
        return instance
    plugin = plugins.registry().by_type.get(instance.record_type)
    record = instance_record(instance)
    if plugin is None or record is None or not plugin.visible(record, actor):
        abort(404)
    return instance


def instance_record(instance: ProcessInstance) -> Any:
    try:
        return plugins.for_type(instance.record_type).get(instance.record_id)
    except (KeyError, NotFound):
        return None


# -- the diagram ------------------------------------------------------------------------

def diagram_state(instance: ProcessInstance) -> dict[str, Any]:
    """Element ids to mark: ``current`` (waiting on a person) and ``done`` (passed).

    The engine prunes finished history, so what was done also comes from the
    event log (every task an event names) and, once finished, the end event reached.
    """
    bundle = bundle_for(instance.definition_id)
    current: list[str] = []
    done = {name for name, info in bundle.tasks.items()  # an instance has always started
            if info.kind == "StartEvent" and info.drawn}
    try:
        loaded = engine().load(bundle, instance.state)
        current, passed = loaded.element_states()
        done |= passed
        end = loaded.end_event() if instance.completed else None
        if end is not None:
            done.add(end.spec)
    except Exception:  # a state the engine cannot read must not hide the log
        current_app.logger.exception("process view: cannot load instance %s", instance.id)
    logged = db.session.scalars(select(ProcessEvent.task_spec).distinct().where(
        ProcessEvent.instance_id == instance.id, ProcessEvent.task_spec.is_not(None))).all()
    done.update(spec for spec in logged if spec in bundle.tasks and bundle.tasks[spec].drawn)
    done.difference_update(current)
    return {"current": current, "done": sorted(done),
            "current_names": [task_name(bundle, spec) for spec in current]}


def task_name(bundle: Any, spec: str | None) -> str:
    if not spec:
        return ""
    info = bundle.tasks.get(spec)
    return label(info.name) if info else spec


def diagram_summary(instance: ProcessInstance, state: dict[str, Any]) -> str:
    """The accessible name of the drawing: where the instance stands."""
    if state["current_names"]:
        return _("Process diagram. Current step: %(steps)s.", steps="、".join(state["current_names"]))
    if instance.completed or instance.cancelled:
        return _("Process diagram. The process has ended: %(status)s.", status=status_text(instance))
    return _("Process diagram. No step is waiting for a person.")


def status_text(instance: ProcessInstance) -> str:
    if instance.cancelled:
        return _("Cancelled")
    return label(instance.status_label) or instance.status or ""


# -- the full log (process admins, auditors) --------------------------------------------

def audit_log(instance: ProcessInstance) -> list[dict[str, Any]]:
    """Every event, oldest first, with the task and decision in words."""
    bundle = bundle_for(instance.definition_id)
    plugin = plugins.registry().by_type.get(instance.record_type)
    rows = db.session.scalars(select(ProcessEvent).where(ProcessEvent.instance_id == instance.id)
                              .order_by(ProcessEvent.id)).all()
    log = []
    for event in rows:
        decision = " · ".join([decision_label(plugin, event.decision),
                               *(plugin.log_remark(event) if plugin else [])]).strip(" ·")
        comment = [(event.data or {}).get("filename")] if event.action in ("file_add", "file_remove") else []
        comment.append(event.comment)
        log.append({
            "at": event.at, "actor": label(event.actor_name), "org": event.actor_org_name or "",
            "action": event.action, "action_label": action_label(plugin, event.action),
            "task": task_name(bundle, event.task_spec), "decision": decision,
            "comment": " ".join(part for part in comment if part),
        })
    return log


# -- the list ------------------------------------------------------------------------------

def listing(page: int, per_page: int, process: str | None, status: str | None) -> tuple[list[Any], int]:
    """One page of instances, newest first, with their definition's name and version."""
    query = (select(ProcessInstance, ProcessDefinition.name, ProcessDefinition.version)
             .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id))
    if process:
        query = query.where(ProcessInstance.process_key == process)
    if status:
        query = query.where(ProcessInstance.status == status)
    total = db.session.scalar(select(db.func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(query.order_by(ProcessInstance.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def subjects(instances: list[ProcessInstance]) -> dict[tuple[str, int], str]:
    """Whom or what each listed record is about, in one query per record type."""
    names: dict[tuple[str, int], str] = {}
    for kind in {i.record_type for i in instances}:
        plugin = plugins.registry().by_type.get(kind)
        if plugin is None:
            continue
        for record_id, record in plugin.get_many(i.record_id for i in instances if i.record_type == kind).items():
            names[(kind, record_id)] = plugin.summary(record).subject
    return names


def process_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(ProcessDefinition.process_key, ProcessDefinition.name)
                              .where(ProcessDefinition.status == "published")
                              .order_by(ProcessDefinition.process_key, ProcessDefinition.version.desc()))
    seen: dict[str, str] = {}
    for key, name in rows:
        seen.setdefault(key, label(name))
    return list(seen.items())


def status_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(ProcessInstance.status, ProcessInstance.status_label).distinct()
                              .where(ProcessInstance.status.is_not(None)))
    seen: dict[str, str] = {}
    for status, status_label in rows:
        seen.setdefault(status, label(status_label) or status)
    return sorted(seen.items(), key=lambda item: item[1])
