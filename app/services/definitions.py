"""Deploying BPMN diagrams as new process-definition versions, checked against their plug-in.

A diagram is refused, with the list of every problem, when its process key has no plug-in, a
step sits in a lane the plug-in does not resolve, names a form it does not declare or a
decision nobody has words for, a decision leads nowhere, a service task calls a handler that
is not the plug-in's own, or a step or end event has no status for users to see. Nothing of
this is left to fail at run time.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from workflows import DiagramError, ProcessBundle, decision_problems

from ..errors import Invalid
from ..extensions import db
from ..i18n import _
from ..models import ProcessDefinition
from ..models.process import PUBLISHED
from . import plugins
from .actors import Actor
from .engine import engine
from .labels import known_decisions
from .plugins import ProcessPlugin

STATUS_KINDS = frozenset({"UserTask", "ManualTask", "EndEvent"})


def _listing(names: set[str] | list[str]) -> str:
    return ", ".join(sorted(names)) or "none"


def plugin_problems(bundle: ProcessBundle, plugin: ProcessPlugin) -> Iterator[str]:
    for task in bundle.user_tasks():
        if task.lane not in plugin.lanes:
            yield (f"{task.spec}: lane {task.lane!r} is not one of {plugin.name}'s lanes "
                   f"({_listing(set(plugin.lanes))})")
        if task.form and task.form not in plugin.forms:
            yield f"{task.spec}: form {task.form!r} is not one of {plugin.name}'s ({_listing(set(plugin.forms))})"
        unknown = [d for d in task.decisions if d not in known_decisions(plugin)]
        if unknown:
            yield (f"{task.spec}: decision(s) {', '.join(unknown)} unknown (known: "
                   f"{_listing(known_decisions(plugin))})")
        if not task.decisions:
            yield f"{task.spec}: the step declares no decisions"
        extra = [d for d in task.comment_required if d not in task.decisions]
        if extra:
            yield f"{task.spec}: comment_required names {', '.join(extra)}, which the step does not offer"
    for element, operation in sorted(bundle.graph.operators.items()):
        if operation not in plugin.handlers:
            yield (f"{element}: handler {operation!r} is not one of {plugin.name}'s "
                   f"({_listing(set(plugin.handlers))})")
    for info in bundle.tasks.values():
        if info.drawn and info.kind in STATUS_KINDS and not {"status", "status_label"} <= set(info.properties):
            yield f"{info.spec}: a {info.kind} needs the status and status_label users see"
    yield from decision_problems(bundle)


def check(bundle: ProcessBundle) -> list[str]:
    """Every problem of a parsed diagram against its plug-in (empty: it may be deployed)."""
    plugin = plugins.for_key(bundle.process_id)
    if plugin is None:
        known = _listing(set(plugins.registry().by_key))
        return [f"{bundle.process_id}: no process plug-in serves this process key (known: {known})"]
    return list(dict.fromkeys(plugin_problems(bundle, plugin)))


def checked_bundle(content: bytes) -> ProcessBundle:
    """Parse and check ``content``; raise DiagramError listing every problem."""
    bundle = engine().bundle(content)
    problems = check(bundle)
    if problems:
        raise DiagramError(problems)
    return bundle


def latest_published(process_key: str) -> ProcessDefinition | None:
    return db.session.scalars(select(ProcessDefinition)
                              .where(ProcessDefinition.process_key == process_key,
                                     ProcessDefinition.status == PUBLISHED)
                              .order_by(ProcessDefinition.version.desc()).limit(1)).first()


def deploy(content: bytes, actor: Actor | None = None) -> tuple[ProcessDefinition, bool]:
    """Validate and store ``content``; return (definition, created).

    An unchanged diagram returns its current version instead of a new one.
    """
    try:
        bundle = checked_bundle(content)
    except DiagramError as exc:
        raise Invalid(_("The diagram was refused."), code="invalid_diagram",
                      fields={"bpmn": exc.problems}) from None
    latest = latest_published(bundle.process_id)
    if latest is not None and latest.content_hash == bundle.content_hash:
        return latest, False
    definition = ProcessDefinition(
        process_key=bundle.process_id, version=(latest.version + 1) if latest else 1,
        name=bundle.name, content_hash=bundle.content_hash, bpmn_xml=content.decode("utf-8"),
        deployed_by_id=actor.id if actor else None)
    db.session.add(definition)
    db.session.flush()
    return definition, True


def deploy_folder(folder: str | Path) -> list[tuple[ProcessDefinition, bool]]:
    return [deploy(path.read_bytes()) for path in sorted(Path(folder).glob("*.bpmn"))]
