"""The caller's hour record: every year's totals, the registration details to confirm, the printed
record (学时证明) and its print log, and the public check of a printed record's number."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, request
from marshmallow import fields

from ...clock import today
from ...services import pdf, records
from ...validation import StrictSchema, Year
from .blueprint import Blueprint
from .context import current_actor
from .errors import ErrorSchema
from .schemas import Hours, HoursQuerySchema, HoursSchema

URL_PREFIX = ""
blp = Blueprint("records", __name__, description="Hour record (历史记录, 学时证明)")
NUMBER = "<string(maxlength=24):number>"


class HistoryYearSchema(HoursSchema):
    prints = fields.Integer(required=True, metadata={"description": "how many times the year was printed"})


class HistorySchema(ma.Schema):
    items = fields.List(fields.Nested(HistoryYearSchema), required=True)


class ProfileFactSchema(ma.Schema):
    label = fields.String(required=True)
    value = fields.String(required=True)


class ProfileStateSchema(ma.Schema):
    year = fields.Integer(required=True)
    exists = fields.Boolean(required=True, metadata={"description": "the year has an enrolment"})
    approved = fields.Boolean(required=True)
    facts = fields.List(fields.Nested(ProfileFactSchema), required=True, metadata={"description": "报名资料"})
    unit = fields.String(required=True)
    url = fields.String(allow_none=True, metadata={"description": "the page showing the details"})
    confirmed = fields.Boolean(required=True, metadata={"description": "核实: confirmed as they are now"})
    confirmed_at = fields.DateTime(allow_none=True)
    locked = fields.Boolean(required=True, metadata={
        "description": "printed once: the details change only through the person-info-change review"})


class ConfirmSchema(StrictSchema):
    year = Year(metadata={"description": "default: this year"})


class PrintSchema(ma.Schema):
    number = fields.String(required=True)
    year = fields.Integer(required=True)
    printed_at = fields.DateTime(required=True)
    total = Hours(required=True)
    professional = Hours(required=True)
    public = Hours(required=True)
    required_total = Hours(required=True)
    status = fields.String(required=True)


class PrintListSchema(ma.Schema):
    items = fields.List(fields.Nested(PrintSchema), required=True)


class PrintedSourceSchema(ma.Schema):
    label = fields.String(required=True)
    professional = fields.Float(required=True)
    public_general = fields.Float(required=True)
    public_industry = fields.Float(required=True)
    total = fields.Float(required=True)


class RecordVerificationSchema(ma.Schema):
    number = fields.String(required=True)
    genuine = fields.Boolean(required=True, metadata={"description": "a record printed with this number"})
    year = fields.Integer()
    printed_at = fields.DateTime()
    holder_name = fields.String()
    holder_id_number = fields.String(metadata={"description": "masked"})
    region = fields.String()
    total = Hours()
    professional = Hours()
    public = Hours()
    required_total = Hours()
    status = fields.String()
    sources = fields.List(fields.Nested(PrintedSourceSchema))


def _pdf(row: Any) -> Response:
    return pdf.attachment(records.render_pdf(row), f"hour-record-{row.number}.pdf")


PDF_DOC = {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}


@blp.route("/me/history", methods=["GET"])
@blp.response(200, HistorySchema)
def history() -> dict[str, Any]:
    """历史记录: every year with hours (and this year), newest first, with totals and completion."""
    return {"items": records.history(current_actor().id)}


@blp.route("/me/profile", methods=["GET"])
@blp.arguments(HoursQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, ProfileStateSchema)
def profile(query: dict[str, Any]) -> dict[str, Any]:
    """报名资料 for a year (default: this year): the details, approved, confirmed, locked."""
    return records.profile_state(current_actor().id, query.get("year") or today().year)


@blp.route("/me/profile/confirm", methods=["POST"])
@blp.arguments(ConfirmSchema, unknown=ma.RAISE, required=False)
@blp.response(200, ProfileStateSchema)
@blp.alt_response(409, schema=ErrorSchema, description="no enrolment for the year, or not approved yet")
def confirm(body: dict[str, Any]) -> dict[str, Any]:
    """核实报名信息: confirm the year's approved details as shown (needed before printing)."""
    return records.confirm(current_actor(), body.get("year") or today().year)


@blp.route("/me/record.pdf", methods=["GET"])
@blp.arguments(HoursQuerySchema, location="query", unknown=ma.RAISE)
@blp.doc(responses={"200": {"description": "a new print of the hour record (学时证明) as a PDF", **PDF_DOC}})
@blp.alt_response(409, schema=ErrorSchema, description="the year is not complete, or the details not confirmed")
@blp.alt_response(503, schema=ErrorSchema, description="the server has no Chinese font to print with")
def record_pdf(query: dict[str, Any]) -> Response:
    """学时证明打印: each call prints anew (a new number, logged); the year must be complete (合格) and
    the details confirmed, else 409 with the reasons. After the first print the details are locked."""
    return _pdf(records.print_record(current_actor(), query.get("year") or today().year))


@blp.route("/me/record-prints", methods=["GET"])
@blp.arguments(HoursQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, PrintListSchema)
def prints(query: dict[str, Any]) -> dict[str, Any]:
    """历史打印日志: the caller's prints (of one year, if given), newest first."""
    return {"items": [records.print_view(row) for row in records.prints_of(current_actor().id, query.get("year"))]}


@blp.route(f"/me/record-prints/{NUMBER}.pdf", methods=["GET"])
@blp.doc(responses={"200": {"description": "an earlier print again, as printed", **PDF_DOC}})
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(503, schema=ErrorSchema, description="the server has no Chinese font to print with")
def print_pdf(number: str) -> Response:
    """An earlier print again, with its own number and figures (not a new print)."""
    return _pdf(records.get_print(number, current_actor()))


@blp.route(f"/records/verify/{NUMBER}", methods=["GET"])
@blp.doc(security=[])
@blp.response(200, RecordVerificationSchema)
@blp.alt_response(429, schema=ErrorSchema, description="too many unknown numbers from this address")
def verify(number: str) -> dict[str, Any]:
    """Public (no token): was a record printed with this number, and whose (name and masked ID) with
    which hours? Unknown numbers answer ``genuine: false``; guessing is throttled per address."""
    return records.verify(number, request.remote_addr or "")
