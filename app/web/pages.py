"""Helpers every page package uses: showing a service's refusal, serving a stored file, letting
process administrators and auditors read a record's page.

A service refusal shows on the page it happened on (next to the field it names) with its own
HTTP status, or on an error page when no view caught it.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, current_app, flash, redirect, render_template, request, send_file

from ..db import READ_METHODS, savepoint
from ..errors import ServiceError
from ..i18n import _
from . import session as web_session

View = TypeVar("View", bound=Callable[..., Any])

# A stored file is shown inline (images and PDFs) inside our own pages. Its type is the one
# checked at upload, never guessed by the browser (nosniff), it may load nothing and run nothing,
# and only our pages may frame it. No CSP ``sandbox`` here, unlike the API download: Chromium
# refuses to show a PDF in a sandboxed document, and active PDFs are refused at upload.
FILE_CSP = ("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; "
            "plugin-types application/pdf; frame-ancestors 'self'")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
PDF_TYPE = "application/pdf"


def audit_readable(view: View) -> View:
    """Mark a record's page or file as one process administrators and auditors may read (GET
    only) whatever its blueprint's own gate says (trainees only, a unit's staff only…); the view
    itself still asks the plug-in whether the record is visible to them (it is)."""
    view.audit_readable = True  # type: ignore[attr-defined]
    return view


def reading_for_audit() -> bool:
    """This request is a read, by someone in a global role, of a page marked ``audit_readable``."""
    view = current_app.view_functions.get(request.endpoint or "")
    actor = web_session.actor()
    return (request.method in READ_METHODS and getattr(view, "audit_readable", False)
            and actor is not None and actor.can_read_all_processes)


def render_service_error(error: ServiceError, template: str, status: int | None = None,
                         **context: Any) -> tuple[str, int]:
    """Show a page again with the service's message (and field problems) on it."""
    return render_template(template, error=error, field_errors=error.fields or {}, **context), \
        status or error.status


def render_service_page(error: ServiceError) -> tuple[str, int]:
    """A service refusal no view caught: an error page with the service's message."""
    return render_template("errors/error.html", status=error.status, message=error.message), error.status


def file_response(stored: Any, data: bytes) -> Response:
    """``stored`` is the file's row (its ``content_type`` and ``filename``)."""
    response: Response = send_file(io.BytesIO(data), mimetype=stored.content_type, as_attachment=False,
                                   download_name=stored.filename, conditional=False, etag=False)
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def file_size(size: int | None) -> str:
    size = size or 0
    if size >= 1024 * 1024:
        return _("%(n)s MB", n=f"{size / (1024 * 1024):.1f}")
    return _("%(n)s KB", n=f"{max(size, 1) / 1024:.1f}")


def preview_kind(content_type: str | None) -> str | None:
    if content_type in IMAGE_TYPES:
        return "image"
    if content_type == PDF_TYPE:
        return "pdf"
    return None


def file_items(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """File views with their size in words and how the page previews them."""
    return [{**view, "size_text": file_size(view["size"]), "preview": preview_kind(view["content_type"])}
            for view in views]


def act(target: str, do: Any, done: str) -> Response:
    """A button's action on a record (the app's CSRF protection has checked the form): ``do()`` in a
    savepoint, ``done`` flashed, or the refusal's message; back to ``target`` either way."""
    try:
        with savepoint():
            do()
        flash(done, "success")
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(target)
