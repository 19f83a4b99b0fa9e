"""JSON API v1: marshmallow schemas in and out, one error format, OpenAPI.

Every route but ``POST /auth/token`` takes ``Authorization: Bearer <token>``.
An account that still has its initial password may only change it.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, request
from flask_smorest import Api
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from ...db import READ_METHODS, begin_read_only, rollback
from ...errors import ServiceError
from ...i18n import _
from ...services import accounts
from ...services.actors import Actor
from .errors import HTTP_CODES, HTTP_MESSAGES, ErrorSchema, error_response, flatten_webargs, service_error_response
from .openapi import StandardErrors

PREFIX = "/api/v1"
PUBLIC_ENDPOINTS = frozenset({"auth.token", "auth.register", "api-docs.openapi_json"})
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout", "auth.me"})


class JsonApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        if not request.path.startswith(PREFIX):
            return error  # web pages keep Flask's own error pages
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        fields = flatten_webargs(data.get("messages")) if data.get("messages") else None
        message = data.get("message") or HTTP_MESSAGES.get(status, error.name)
        response = error_response(status, HTTP_CODES.get(status, "error"), message, fields)
        for name, value in error.get_headers():  # e.g. Allow on a 405
            if name.lower() != "content-type":
                response.headers[name] = value
        return response


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate_request() -> Response | None:
    """Resolve the bearer token of an API request to an actor (app-wide before_request)."""
    if not request.path.startswith(PREFIX + "/"):
        return None
    if request.method in READ_METHODS:  # API reads write nothing (web pages may: session expiry)
        begin_read_only()
    if request.endpoint in PUBLIC_ENDPOINTS or request.method == "OPTIONS":
        return None
    token = bearer_token()
    actor = accounts.actor_for_token(token) if token else None
    if actor is None:
        return error_response(401, "unauthorized", _("Please log in (the token is missing, expired or revoked)."))
    if actor.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return error_response(403, "password_change_required",
                              _("Change your initial password first."))
    g.actor = actor
    g.token = token
    return None


def current_actor() -> Actor:
    return g.actor


def init_api(app: Flask) -> None:
    api = JsonApi(app, spec_kwargs={"servers": [{"url": "/"}], "extra_plugins": [StandardErrors()]})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]

    from . import auth, claims, enrollments, hours, instances, tasks

    for module in (auth, claims, enrollments, tasks, hours, instances):
        api.register_blueprint(module.blp, url_prefix=PREFIX + module.URL_PREFIX)
    app.before_request(authenticate_request)
    app.extensions["json_api"] = api
    app.extensions["api_blueprints"] = [m.blp.name for m in (auth, claims, enrollments, tasks, hours, instances)]

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> Any:
        if request.path.startswith(PREFIX):
            return service_error_response(exc)
        from ...web import render_service_page  # pages show the message on an error page
        return render_service_page(exc)

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError) -> Any:
        # A unique key raced by a concurrent request (two enrolments for one year...).
        rollback()
        return error_response(409, "conflict", _("Someone changed this at the same time; reload and try again."))

    @app.errorhandler(DataError)
    def _data_error(exc: DataError) -> Any:
        # The database refused a value that slipped past validation: the input's fault, not ours.
        rollback()
        return error_response(422, "invalid", _("The data sent is not valid."))
