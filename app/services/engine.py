"""The process engine bound to this app: one ``workflows.Engine`` per process.

Service-task handlers are the only Python a diagram can reach: every plug-in's
(``ProcessPlugin.handlers``), and an instance reaches only its own plug-in's.
"""
from __future__ import annotations

from flask import Flask, current_app

from workflows import Engine, ProcessBundle, use_clock

from ..clock import utcnow
from ..extensions import db
from ..models import ProcessDefinition


def init_engine(app: Flask) -> None:
    use_clock(utcnow)  # diagram timers read the app's clock (tests move it instead of waiting)
    app.extensions["engine"] = Engine(app.extensions["plugins"].handlers)
    app.extensions["bundles"] = {}


def engine() -> Engine:
    return current_app.extensions["engine"]


def bundle_for(definition_id: int) -> ProcessBundle:
    """The parsed spec of a deployed definition, parsed once per process."""
    cache: dict[int, ProcessBundle] = current_app.extensions["bundles"]
    bundle = cache.get(definition_id)
    if bundle is None:
        row = db.session.execute(
            db.select(ProcessDefinition.bpmn_xml, ProcessDefinition.content_hash)
            .where(ProcessDefinition.id == definition_id)).one()
        bundle = cache[definition_id] = engine().bundle(row.bpmn_xml, row.content_hash)
    return bundle


def warm_up(app: Flask) -> int:
    """Parse the latest diagrams and open a connection before the first request.

    Called from gunicorn's ``post_worker_init`` so that a fresh worker's first
    users do not pay for imports, parsing and connecting. Returns how many
    diagrams were parsed (0 if the database is not migrated yet).
    """
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    with app.app_context():
        try:
            latest = db.session.execute(
                select(func.max(ProcessDefinition.id)).where(ProcessDefinition.status == "published")
                .group_by(ProcessDefinition.process_key)).scalars().all()
            for definition_id in latest:
                bundle_for(definition_id)
            return len(latest)
        except SQLAlchemyError:
            return 0
        finally:
            db.session.remove()
