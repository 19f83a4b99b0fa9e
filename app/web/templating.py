"""Template helpers: role names, local times, security headers for pages."""
from __future__ import annotations

from datetime import datetime

from flask import Flask, Response, request
from flask_babel import format_date, format_datetime

from ..domain.idnumber import mask
from ..i18n import _l

ROLE_LABELS = {
    "trainee": _l("Trainee"), "reviewer": _l("Reviewer"), "admin": _l("Unit administrator"),
    "process_admin": _l("Process administrator"), "auditor": _l("Auditor"),
    "sysadmin": _l("System administrator"),
}
# Pages load scripts, styles and frames from this site only. bpmn-js sets inline styles.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; frame-src 'self'; object-src 'self'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'self'")


def role_label(role: str | None) -> str:
    return str(ROLE_LABELS.get(role or "", role or ""))


def localtime(value: datetime | None) -> str:
    return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""


def localdate(value: datetime | None) -> str:
    return format_date(value, "yyyy-MM-dd") if value else ""


def _security_headers(response: Response) -> Response:
    if not request.path.startswith("/api/"):
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(role_label=role_label)
    app.jinja_env.filters.update(localtime=localtime, localdate=localdate, mask_id=mask)
    app.after_request(_security_headers)
