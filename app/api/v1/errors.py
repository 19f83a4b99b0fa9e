"""One error format for the whole API: ``{"error": {"code", "message", "fields"?}}``."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, jsonify

from ...errors import ServiceError
from ...i18n import _l, localise

HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "invalid", 429: "too_many_requests", 500: "internal_error",
}
HTTP_MESSAGES = {
    400: _l("Bad request."), 401: _l("Please log in."), 403: _l("You may not do this."),
    404: _l("Not found."), 405: _l("Method not allowed."), 413: _l("The request is too large."),
    415: _l("Unsupported media type."), 422: _l("The data sent is not valid."),
    500: _l("Internal error; the administrators have been told."),
}


class ErrorDetailSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "stable machine-readable code"})
    message = ma.fields.String(required=True, metadata={"description": "message for people (Chinese)"})
    fields = ma.fields.Dict(metadata={"description": "field name -> list of problems"})
    rows = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "an imported file's problems, one per row and field: {row, field, message} (code bad_rows)"})


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorDetailSchema, required=True)


def error_response(status: int, code: str, message: str,
                   fields: dict[str, Any] | None = None, rows: list[dict[str, Any]] | None = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = fields
    if rows:
        body["rows"] = rows
    response = jsonify({"error": body})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def service_error_response(exc: ServiceError) -> Response:
    response = error_response(exc.status, exc.code, exc.message, exc.fields, exc.rows)
    response.headers.update(exc.headers)
    return response


def flatten_webargs(messages: Any) -> dict[str, Any]:
    """webargs nests problems by location ({"json": {...}}); clients want field names, in their language."""
    flat: dict[str, Any] = {}
    if isinstance(messages, dict):
        for location, problems in messages.items():
            if isinstance(problems, dict):
                flat.update({str(k): v for k, v in problems.items()})
            else:
                flat[str(location)] = problems
    return localise(flat)
