"""Errors raised by services; the API and the web pages render them.

Each carries an HTTP status, a stable machine ``code`` and a Chinese message
for people (English detail in parentheses where it helps integrators).
"""
from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None,
                 fields: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
                 rows: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields
        self.headers = headers or {}  # e.g. Retry-After on a 429
        self.rows = rows  # an imported file's problems: [{"row", "field", "message"}]


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class Invalid(ServiceError):
    status = 422
    code = "invalid"


class TooManyAttempts(ServiceError):
    status = 429
    code = "too_many_attempts"


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"
