"""Who calls the API: the bearer token of each request, resolved once to an ``Actor``."""
from __future__ import annotations

from flask import Request, Response, current_app, g, request

from ...db import READ_METHODS, begin_read_only
from ...i18n import _
from ...services import accounts
from ...services.actors import Actor
from ...services.plugins import public_endpoints
from .errors import error_response

PREFIX = "/api/v1"
PUBLIC_ENDPOINTS = frozenset({"auth.token", "auth.register", "api-docs.openapi_json", "certificates.verify",
                              "records.verify"})
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout", "auth.me"})
# Reads that record something on every call (a number's look-up, for throttling guessers; a print).
# A read that records for some callers only (an auditor's read of a proof) calls ``db.begin_recording``.
RECORDING_READS = frozenset({"certificates.verify", "records.verify", "records.record_pdf"})


def bearer_token(req: Request | None = None) -> str | None:
    header = (req or request).headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate_request() -> Response | None:
    """Resolve the bearer token of an API request to an actor (app-wide before_request)."""
    req = request._get_current_object()  # once: each look-up through the proxy costs ~4 calls
    if not req.path.startswith(PREFIX + "/"):
        return None
    method, endpoint = req.method, req.endpoint
    if method in READ_METHODS and endpoint not in RECORDING_READS:
        begin_read_only()  # API reads write nothing (web pages may: session expiry)
    if endpoint in PUBLIC_ENDPOINTS or endpoint in public_endpoints() or method == "OPTIONS":
        return None
    token = bearer_token(req)
    actor = accounts.actor_for_token(token) if token else None
    if actor is None:
        return error_response(401, "unauthorized", _("Please log in (the token is missing, expired or revoked)."))
    if actor.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return error_response(403, "password_change_required",
                              _("Change your initial password first."))
    if method not in READ_METHODS and actor.reads_only \
            and req.blueprint in current_app.extensions["record_api_blueprints"]:
        message = _("Process administrators and auditors read records; they change none.")
        return error_response(403, "forbidden", message)
    g.actor = actor
    g.token = token
    return None


def current_actor() -> Actor:
    return g.actor
