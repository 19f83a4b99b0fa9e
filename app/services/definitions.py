"""Deploying BPMN diagrams as new process-definition versions."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from workflows import DiagramError

from ..errors import Invalid
from ..extensions import db
from ..i18n import _
from ..models import ProcessDefinition
from .actors import Actor
from .engine import engine


def deploy(content: bytes, actor: Actor | None = None) -> tuple[ProcessDefinition, bool]:
    """Validate and store ``content``; return (definition, created).

    An unchanged diagram returns its current version instead of a new one.
    """
    try:
        bundle = engine().bundle(content)
    except DiagramError as exc:
        raise Invalid(_("The diagram was refused."), code="invalid_diagram",
                      fields={"bpmn": exc.problems}) from None
    latest = db.session.scalars(select(ProcessDefinition)
                                .where(ProcessDefinition.process_key == bundle.process_id)
                                .order_by(ProcessDefinition.version.desc()).limit(1)).first()
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
