"""The trainee's hour record pages (seed 000 §3.5, §5): 学习首页 (this year's hours by subject and
source against the requirement), 历史记录 (every year, with a year switcher), 学习证明 (confirm the
registration details, print, the print log) and the public check a printed record's QR code opens."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from ..db import savepoint
from ..errors import ServiceError
from ..i18n import _
from ..models.ledger import CATEGORY_LABELS
from ..services import pdf, records
from . import session as web_session
from .trainee import current_year, trainees_only, year_arg

blp = Blueprint("record_pages", __name__)
PUBLIC = frozenset({"record_pages.verify", "record_pages.lookup"})


@blp.before_request
def _trainees() -> None:
    if request.endpoint not in PUBLIC:
        trainees_only()


def _pdf(row: Any) -> Response:
    return pdf.attachment(records.render_pdf(row), f"hour-record-{row.number}.pdf")


@blp.route("/hours")
def home() -> Any:
    """学习首页: this year's (or ``?year=``) hours by subject and by source."""
    year = year_arg()
    return render_template("records/home.html", year=year, hours=records.hours(web_session.actor().id, year),
                           categories=CATEGORY_LABELS, this_year=current_year())


@blp.route("/history")
def history() -> Any:
    """历史记录: every year's totals and completion; ``?year=`` opens one year's detail."""
    items = records.history(web_session.actor().id)
    chosen = request.args.get("year", type=int)
    if chosen is not None and chosen not in {item["year"] for item in items}:
        abort(404)
    detail = next((item for item in items if item["year"] == chosen), None)
    return render_template("records/history.html", items=items, detail=detail, categories=CATEGORY_LABELS)


@blp.route("/record")
def record() -> Any:
    """学习证明: whether the year may print (the seed's two messages), the details, the print log."""
    year = year_arg()
    actor = web_session.actor()
    hours, profile, reasons = records.printable(actor.id, year)
    return render_template("records/record.html", year=year, hours=hours, profile=profile, reasons=reasons,
                           prints=[records.print_view(row) for row in records.prints_of(actor.id, year)],
                           this_year=current_year())


@blp.route("/record/confirm", methods=["POST"])
def confirm() -> Response:
    year = year_arg()
    try:
        with savepoint():
            records.confirm(web_session.actor(), year)
        flash(_("Your enrolment details for %(year)s are confirmed.", year=year), "success")
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(url_for("record_pages.record", year=year))


@blp.route("/record/print", methods=["POST"])
def print_record() -> Response:
    """打印: a new print (its own number, logged) as a PDF download; refused with the reasons."""
    year = year_arg()
    try:
        with savepoint():
            row = records.print_record(web_session.actor(), year)
            return _pdf(row)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("record_pages.record", year=year))


@blp.route("/record/prints/<string(maxlength=24):number>.pdf")
def print_pdf(number: str) -> Response:
    """An earlier print again, as it was printed."""
    return _pdf(records.get_print(number, web_session.actor()))


@blp.route("/records/verify")
def lookup() -> Any:
    """学时证明查验: type a number (public)."""
    number = (request.args.get("number") or "").strip()
    if number:
        return redirect(url_for("record_pages.verify", number=number[:24]))
    return render_template("records/verify.html", result=None, number="", categories=CATEGORY_LABELS)


@blp.route("/records/verify/<path:number>")
def verify(number: str) -> Any:
    """What a printed record's QR code opens: printed or not, whose (name and masked ID), which hours."""
    try:
        result = records.verify(number[:24], request.remote_addr or "")
    except ServiceError as exc:
        return render_template("records/verify.html", result=None, number=number[:24], error=exc,
                               categories=CATEGORY_LABELS), exc.status
    return render_template("records/verify.html", result=result, number=result["number"], categories=CATEGORY_LABELS)
