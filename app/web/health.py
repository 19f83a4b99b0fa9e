"""``GET /healthz``: for the proxy or load balancer in front of the workers.

200 when this worker can reach the database, 503 when it cannot (take it out of
rotation). No login: it tells nothing about users or records.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify, send_from_directory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..db import rollback
from ..extensions import db

log = logging.getLogger(__name__)
blp = Blueprint("health", __name__)


@blp.route("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("health check: database unreachable: %s", exc.__class__.__name__)
        rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


@blp.route("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it at the root whatever the page says."""
    response = send_from_directory(current_app.static_folder or "", "favicon.ico", mimetype="image/x-icon")
    response.cache_control.max_age = 86400
    return response
