"""Supplementary claims through the API: the trainee's side (ask, entries, proofs, report, withdraw).
The unit's answer and the reviews are decisions on the generic ``/tasks`` API."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response
from marshmallow import fields

from ...api.v1.blueprint import Blueprint
from ...api.v1.context import current_actor
from ...api.v1.errors import ErrorSchema
from ...api.v1.files import DOWNLOAD_DOC, UPLOAD_DOC, file_response, uploaded
from ...api.v1.schemas import FileSchema, FlowLog, PersonSchema
from ...domain.credit_routes import ROUTE_LABELS
from ...services import attachments
from ...validation import HoursIn, StrictSchema, Text, length, one_of
from . import service
from .views import entry_view, supplementary_view

blp = Blueprint("supplementary", __name__, api_prefix="/supplementary",
                description="Supplementary claims for last year (学时增补, 1-20 January)")


class RequestSchema(StrictSchema):
    route = Text(required=True, validate=one_of(ROUTE_LABELS),
                 metadata={"description": "a route with a finally approved claim last year"})


class EntryInSchema(StrictSchema):
    title = Text(required=True, validate=length(1, 100), metadata={"description": "what is supplemented"})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    hours = HoursIn(required=True)


class EntrySchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    hours = fields.Float(required=True)


class SupplementarySchema(ma.Schema):
    id = fields.Integer(required=True)
    year = fields.Integer(required=True, metadata={"description": "the year supplemented (last year)"})
    route = fields.String(required=True)
    route_label = fields.String(required=True)
    consent = fields.String(required=True, metadata={"description": "'', 'agreed' or 'refused'"})
    handled_label = fields.String(required=True, metadata={"description": "已处理 / 未处理"})
    consent_label = fields.String(required=True, metadata={"description": "同意 / 不同意 / 未处理"})
    status = fields.String(required=True)
    status_label = fields.String(required=True)
    hours_total = fields.Float(required=True)
    cap_remaining = fields.Float(required=True, metadata={"description": "hours left on the route that year"})
    trainee = fields.Nested(PersonSchema, required=True)
    unit_name = fields.String(required=True)
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    submitted_at = fields.DateTime(allow_none=True)
    entries = fields.List(fields.Nested(EntrySchema), required=True)
    files = fields.List(fields.Nested(FileSchema), required=True)
    log = FlowLog(required=True,
                      metadata={"description": "the latest 50 entries, newest first"})
    log_more = fields.Boolean(required=True)


class SupplementaryListItemSchema(SupplementarySchema):
    class Meta:
        exclude = ("log", "log_more", "files")


class SupplementaryListSchema(ma.Schema):
    items = fields.List(fields.Nested(SupplementaryListItemSchema), required=True)
    total = fields.Integer(required=True)


@blp.route("", methods=["POST"])
@blp.arguments(RequestSchema)
@blp.response(201, SupplementarySchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def request_supplement(body: dict[str, Any]) -> dict[str, Any]:
    """增补申请: ask to supplement last year on a route (1-20 January); the unit answers next."""
    return supplementary_view(service.request(current_actor(), body))


@blp.route("", methods=["GET"])
@blp.response(200, SupplementaryListSchema)
def list_supplements() -> dict[str, Any]:
    """The caller's own supplements, newest first."""
    items = [supplementary_view(r, with_log=False) for r in service.list_for(current_actor())]
    return {"items": items, "total": len(items)}


@blp.route("/<int:record_id>", methods=["GET"])
@blp.response(200, SupplementarySchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(record_id: int) -> dict[str, Any]:
    return supplementary_view(service.get_visible(record_id, current_actor()))


@blp.route("/<int:record_id>/cancel", methods=["POST"])
@blp.response(200, SupplementarySchema)
@blp.alt_response(409, schema=ErrorSchema)
def cancel(record_id: int) -> dict[str, Any]:
    """撤销增补: withdraw while nothing is reported (a BPMN message)."""
    return supplementary_view(service.cancel(record_id, current_actor()))


@blp.route("/<int:record_id>/entries", methods=["POST"])
@blp.arguments(EntryInSchema)
@blp.response(201, EntrySchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def add_entry(body: dict[str, Any], record_id: int) -> dict[str, Any]:
    """Add an entry of last year on the route, once the unit has agreed (个人保存)."""
    return entry_view(service.add_entry(record_id, current_actor(), body))


@blp.route("/<int:record_id>/entries/<int:entry_id>", methods=["PUT"])
@blp.arguments(EntryInSchema)
@blp.response(200, EntrySchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def update_entry(body: dict[str, Any], record_id: int, entry_id: int) -> dict[str, Any]:
    return entry_view(service.update_entry(record_id, entry_id, current_actor(), body))


@blp.route("/<int:record_id>/entries/<int:entry_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
def remove_entry(record_id: int, entry_id: int) -> None:
    service.remove_entry(record_id, entry_id, current_actor())


@blp.route("/<int:record_id>/submit", methods=["POST"])
@blp.response(200, SupplementarySchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def submit(record_id: int) -> dict[str, Any]:
    """个人上报: report the entries to the unit (entries, a proof, and last year's cap left)."""
    return supplementary_view(service.submit(record_id, current_actor()))


@blp.route("/<int:record_id>/files", methods=["POST"])
@blp.doc(**UPLOAD_DOC)
@blp.response(201, FileSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def upload(record_id: int) -> Any:
    """Attach a proof (jpg, png or pdf, checked by content) with a description of at most 33 characters."""
    data, filename, description = uploaded()
    return attachments.view(service.add_file(record_id, current_actor(), data, filename, description))


@blp.route("/<int:record_id>/files/<int:file_id>", methods=["GET"])
@blp.doc(**DOWNLOAD_DOC)
@blp.alt_response(404, schema=ErrorSchema)
def download(record_id: int, file_id: int) -> Response:
    return file_response(*service.read_file(record_id, file_id, current_actor()))


@blp.route("/<int:record_id>/files/<int:file_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
def remove_file(record_id: int, file_id: int) -> None:
    service.remove_file(record_id, file_id, current_actor())
