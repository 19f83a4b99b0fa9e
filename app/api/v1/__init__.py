"""JSON API v1: marshmallow schemas in and out, one error format, OpenAPI.

Every route but ``POST /auth/token`` takes ``Authorization: Bearer <token>``.
An account that still has its initial password may only change it.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_smorest import Api
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from ...db import rollback
from ...errors import ServiceError
from ...i18n import _
from .context import PREFIX, authenticate_request
from .errors import HTTP_CODES, HTTP_MESSAGES, ErrorSchema, error_response, flatten_webargs, service_error_response
from .openapi import StandardErrors


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


def init_api(app: Flask) -> None:
    api = JsonApi(app, spec_kwargs={"servers": [{"url": "/"}], "extra_plugins": [StandardErrors()]})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]

    from . import auth, certificates, hours, instances, records, tasks

    for module in (auth, tasks, hours, records, instances, certificates):
        api.register_blueprint(module.blp, url_prefix=PREFIX + module.URL_PREFIX)
    names = [m.blp.name for m in (auth, tasks, hours, records, instances, certificates)]
    extra = [blueprint for feature in app.extensions.get("features", ()) for blueprint in feature.api_blueprints]
    for blueprint in [*(b for plugin in app.extensions["plugins"] for b in plugin.blueprints()[0]), *extra]:
        api.register_blueprint(blueprint, url_prefix=PREFIX + blueprint.url_prefix_v1)  # each process's, each feature's
        names.append(blueprint.name)
    app.before_request(authenticate_request)
    app.extensions["json_api"] = api
    app.extensions["api_blueprints"] = names
    # The processes' records: a process administrator or auditor reads them and changes none.
    app.extensions["record_api_blueprints"] = frozenset(
        b.name for plugin in app.extensions["plugins"] for b in plugin.blueprints()[0])

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> Any:
        if request.path.startswith(PREFIX):
            return service_error_response(exc)
        return app.extensions["page_error"](exc)  # pages show the message on an error page

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
