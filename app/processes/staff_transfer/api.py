"""Staff transfers through the API. The target unit decides through ``/tasks`` (``accept`` / ``refuse``)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response
from marshmallow import fields

from ...api.v1.blueprint import Blueprint
from ...api.v1.context import current_actor
from ...api.v1.errors import ErrorSchema
from ...api.v1.files import DOWNLOAD_DOC, UPLOAD_DOC, file_response, uploaded
from ...api.v1.schemas import FileSchema, FlowLog, PersonSchema, WaitingStepSchema
from ...i18n import _l
from ...services import attachments
from ...validation import Id, StrictSchema, Text, exact_length, length, one_of, pattern
from . import service
from .views import transfer_view

blp = Blueprint("transfers", __name__, api_prefix="/transfers", description="Staff transfers (人员调转)")
PHONE = r"^[0-9][0-9\-]{6,19}$"
STATUSES = ("pending", "accepted", "refused", "cancelled")


class TransferCreateSchema(StrictSchema):
    id_number = Text(required=True, validate=exact_length(18),
                     metadata={"description": "the trainee's resident ID number"})
    to_unit_id = Id(required=True, metadata={"description": "the unit the person moves to"})
    reason = Text(required=True, multiline=True, validate=length(1, 200))
    contact_name = Text(required=True, validate=length(1, 30))
    contact_phone = Text(required=True, validate=pattern(PHONE, _l("A telephone number: digits and hyphens.")))


class TransferQuerySchema(StrictSchema):
    direction = Text(validate=one_of(("in", "out")),
                     metadata={"description": "into (in) or out of (out) the caller's units; both if omitted"})
    status = Text(validate=one_of(STATUSES))


class TransferCancelSchema(StrictSchema):
    reason = Text(allow_none=True, multiline=True, blank=True, validate=length(high=200))


class UnitRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class TransferSchema(ma.Schema):
    id = fields.Integer(required=True)
    person = fields.Nested(PersonSchema, required=True)
    from_unit = fields.Nested(UnitRefSchema, required=True)
    to_unit = fields.Nested(UnitRefSchema, required=True)
    reason = fields.String(required=True)
    contact_name = fields.String(required=True)
    contact_phone = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "pending | accepted | refused | cancelled"})
    status_label = fields.String(required=True, metadata={"description": "待转入 / 同意转入 / 拒绝转入 / 已撤销"})
    refusal_reason = fields.String(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    moved_at = fields.DateTime(allow_none=True, metadata={"description": "when the person changed unit"})
    files = fields.List(fields.Nested(FileSchema), required=True)
    waiting = fields.List(fields.Nested(WaitingStepSchema), required=True)
    log = FlowLog(required=True)
    log_more = fields.Boolean(required=True)


class TransferListItemSchema(TransferSchema):
    class Meta:
        exclude = ("files", "waiting", "log", "log_more")


class TransferListSchema(ma.Schema):
    items = fields.List(fields.Nested(TransferListItemSchema), required=True)
    total = fields.Integer(required=True)


@blp.route("", methods=["POST"])
@blp.arguments(TransferCreateSchema)
@blp.response(201, TransferSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def create(body: dict[str, Any]) -> dict[str, Any]:
    """File a transfer-out (提交转出申请) of a trainee of the caller's unit; the target unit decides."""
    return transfer_view(service.file(current_actor(), body))


@blp.route("", methods=["GET"])
@blp.arguments(TransferQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, TransferListSchema)
def list_transfers(query: dict[str, Any]) -> dict[str, Any]:
    """Transfers into or out of the caller's units (调转记录), newest first."""
    items = [transfer_view(t, with_log=False)
             for t in service.list_for(current_actor(), query.get("direction"), query.get("status"))]
    return {"items": items, "total": len(items)}


@blp.route("/<int:transfer_id>", methods=["GET"])
@blp.response(200, TransferSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(transfer_id: int) -> dict[str, Any]:
    return transfer_view(service.get_visible(transfer_id, current_actor()))


@blp.route("/<int:transfer_id>/cancel", methods=["POST"])
@blp.arguments(TransferCancelSchema)
@blp.response(200, TransferSchema)
@blp.alt_response(409, schema=ErrorSchema)
def cancel(body: dict[str, Any], transfer_id: int) -> dict[str, Any]:
    """The filing unit takes the transfer back while the target unit has not decided (a BPMN message)."""
    return transfer_view(service.cancel(transfer_id, current_actor(), body.get("reason") or None))


@blp.route("/<int:transfer_id>/files", methods=["POST"])
@blp.doc(**UPLOAD_DOC)
@blp.response(201, FileSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def upload(transfer_id: int) -> Any:
    """Attach a file (jpg, png or pdf, checked by content) while the transfer waits."""
    data, filename, description = uploaded()
    return attachments.view(service.add_file(transfer_id, current_actor(), data, filename, description))


@blp.route("/<int:transfer_id>/files/<int:file_id>", methods=["GET"])
@blp.doc(**DOWNLOAD_DOC)
@blp.alt_response(404, schema=ErrorSchema)
def download(transfer_id: int, file_id: int) -> Response:
    return file_response(*service.read_file(transfer_id, file_id, current_actor()))
