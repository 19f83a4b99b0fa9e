"""Template helpers: role names, local times, security headers for pages."""
from __future__ import annotations

from datetime import datetime

from flask import Flask, Response, request
from flask_babel import format_date, format_datetime

from ..domain.idnumber import mask
from ..i18n import _l, label

ROLE_LABELS = {
    "trainee": _l("Trainee"), "reviewer": _l("Reviewer"), "admin": _l("Unit administrator"),
    "process_admin": _l("Process administrator"), "auditor": _l("Auditor"),
    "sysadmin": _l("System administrator"), "course_admin": _l("Course administrator"),
}
# Pages load scripts, styles and frames from this site only. bpmn-js sets inline styles.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; frame-src 'self'; object-src 'self'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'self'")


# How a status looks, by the words diagrams use for it (any other status is "in progress").
TONES = (("ok", ("approved", "accepted", "filed", "done")), ("danger", ("rejected", "refused")),
         ("warn", ("returned",)), ("neutral", ("draft", "cancelled", "deleted", "withdrawn")))


def status_tone(status: str | None) -> str:
    """A badge colour for a status: ``ok``, ``danger``, ``warn``, ``neutral`` or ``info``."""
    text = status or ""
    if "+" in text:  # several steps waiting
        return "info"
    for tone, words in TONES:
        if any(text == word or text.endswith("_" + word) for word in words):
            return tone
    return "info"


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
    app.jinja_env.filters.update(localtime=localtime, localdate=localdate, mask_id=mask, status_tone=status_tone,
                                 label=label)
    app.after_request(_security_headers)
