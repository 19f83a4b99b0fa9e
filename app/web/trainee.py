"""What every trainee page shares: only someone acting as a trainee may open it, and the year it is about."""
from __future__ import annotations

from flask import abort, request

from ..clock import today
from . import session as web_session
from .pages import reading_for_audit


def trainees_only() -> None:
    """A blueprint's ``before_request``: pages for the person in the trainee role (and, to read a
    record's page marked ``audit_readable``, process administrators and auditors)."""
    if web_session.active_role() != "trainee" and not reading_for_audit():
        abort(403)


def current_year() -> int:
    return today().year


def year_arg() -> int:
    """The ``?year=`` a page is about: this year by default, at most next year."""
    year = request.args.get("year", type=int) or current_year()
    if not 2000 <= year <= current_year() + 1:
        abort(404)
    return year
