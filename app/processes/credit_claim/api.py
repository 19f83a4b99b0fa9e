"""Credit-hour claims through the API: the trainee's side (create, edit, proofs, submit, withdraw)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response
from marshmallow import fields

from ...api.v1.blueprint import Blueprint
from ...api.v1.context import current_actor
from ...api.v1.errors import ErrorSchema
from ...api.v1.files import DOWNLOAD_DOC, UPLOAD_DOC, file_response, uploaded
from ...api.v1.schemas import (
    FileSchema,
    FlowLog,
    LogPageSchema,
    LogQuerySchema,
    PersonSchema,
    YearQuerySchema,
)
from ...services import attachments, plugins, presenters
from ...validation import HoursIn, StrictSchema, Text, Year, length, one_of
from . import service
from .routes import ROUTES
from .views import claim_view

blp = Blueprint("claims", __name__, api_prefix="/claims", description="Credit-hour claims (学时登记)")
Hours = fields.Float


class ClaimCreateSchema(StrictSchema):
    year = Year(required=True)
    route = Text(required=True, validate=one_of(ROUTES))
    title = Text(required=True, validate=length(1, 100))
    details = fields.Dict(keys=Text(), required=True)
    hours_requested = HoursIn(required=True)


class ClaimPatchSchema(StrictSchema):
    route = Text(validate=one_of(ROUTES))
    title = Text(validate=length(1, 100))
    details = fields.Dict(keys=Text())
    hours_requested = HoursIn()


class ClaimSchema(ma.Schema):
    id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    route = fields.String(required=True)
    route_label = fields.String(required=True)
    title = fields.String(required=True)
    details = fields.Dict(required=True)
    hours_requested = Hours(required=True)
    hours_suggested = Hours(required=True)
    hours_reviewed = Hours(allow_none=True)
    hours_registered = Hours(allow_none=True)
    cap_remaining = Hours(required=True, metadata={"description": "hours left on this route's yearly cap"})
    status = fields.String(required=True)
    status_label = fields.String(required=True)
    trainee = fields.Nested(PersonSchema, required=True)
    unit_name = fields.String(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    submitted_at = fields.DateTime(allow_none=True)
    files = fields.List(fields.Nested(FileSchema), required=True)
    log = FlowLog(required=True,
                      metadata={"description": "the latest 50 entries, newest first"})
    log_more = fields.Boolean(required=True, metadata={"description": "older entries: GET /claims/{id}/log"})


class ClaimListItemSchema(ClaimSchema):
    class Meta:
        exclude = ("log", "log_more", "files")


class ClaimListSchema(ma.Schema):
    items = fields.List(fields.Nested(ClaimListItemSchema), required=True)
    total = fields.Integer(required=True)


@blp.route("", methods=["POST"])
@blp.arguments(ClaimCreateSchema)
@blp.response(201, ClaimSchema)
@blp.alt_response(422, schema=ErrorSchema)
def create(body: dict[str, Any]) -> dict[str, Any]:
    """Create a draft claim; the response carries the suggested hours from the route rules."""
    return claim_view(service.create(current_actor(), body))


@blp.route("", methods=["GET"])
@blp.arguments(YearQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, ClaimListSchema)
def list_claims(query: dict[str, Any]) -> dict[str, Any]:
    """The caller's own claims, newest first."""
    items = [claim_view(c, with_log=False) for c in service.list_for(current_actor(), query.get("year"))]
    return {"items": items, "total": len(items)}


@blp.route("/<int:claim_id>", methods=["GET"])
@blp.response(200, ClaimSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(claim_id: int) -> dict[str, Any]:
    return claim_view(service.get_visible(claim_id, current_actor()))


@blp.route("/<int:claim_id>/log", methods=["GET"])
@blp.arguments(LogQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, LogPageSchema)
@blp.alt_response(404, schema=ErrorSchema)
def log(query: dict[str, Any], claim_id: int) -> dict[str, Any]:
    """The whole flow log of a claim, a page at a time, newest first."""
    claim = service.get_visible(claim_id, current_actor())
    page, per_page = query["page"], query["per_page"]
    entries = presenters.flow_log(claim.instance_id, plugins.for_type(service.RECORD_TYPE),
                                  limit=per_page + 1, offset=(page - 1) * per_page)
    return {"items": entries[:per_page], "page": page, "per_page": per_page, "more": len(entries) > per_page}


@blp.route("/<int:claim_id>", methods=["PATCH"])
@blp.arguments(ClaimPatchSchema)
@blp.response(200, ClaimSchema)
@blp.alt_response(409, schema=ErrorSchema)
def patch(body: dict[str, Any], claim_id: int) -> dict[str, Any]:
    """Edit a draft or returned claim."""
    return claim_view(service.update(claim_id, current_actor(), body))


@blp.route("/<int:claim_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(409, schema=ErrorSchema)
def delete(claim_id: int) -> None:
    """Delete a draft (未提交) claim (a BPMN message: only a claim not yet submitted takes it)."""
    service.delete(claim_id, current_actor())


@blp.route("/<int:claim_id>/submit", methods=["POST"])
@blp.response(200, ClaimSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def submit(claim_id: int) -> dict[str, Any]:
    """Submit (or resubmit after a send-back) to the unit's review; at least one proof is needed."""
    return claim_view(service.submit(claim_id, current_actor()))


@blp.route("/<int:claim_id>/withdraw", methods=["POST"])
@blp.response(200, ClaimSchema)
@blp.alt_response(409, schema=ErrorSchema)
def withdraw(claim_id: int) -> dict[str, Any]:
    """Withdraw a submitted claim while the unit has not acted (a BPMN message event)."""
    return claim_view(service.withdraw(claim_id, current_actor()))


@blp.route("/<int:claim_id>/files", methods=["POST"])
@blp.doc(**UPLOAD_DOC)
@blp.response(201, FileSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def upload(claim_id: int) -> Any:
    """Attach a proof (jpg, png or pdf, checked by content) with a description."""
    data, filename, description = uploaded()
    return attachments.view(service.add_file(claim_id, current_actor(), data, filename, description))


@blp.route("/<int:claim_id>/files/<int:file_id>", methods=["GET"])
@blp.doc(**DOWNLOAD_DOC)
@blp.alt_response(404, schema=ErrorSchema)
def download(claim_id: int, file_id: int) -> Response:
    """The proof file itself, for whoever may read the claim."""
    return file_response(*service.read_file(claim_id, file_id, current_actor()))


@blp.route("/<int:claim_id>/files/<int:file_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
def remove_file(claim_id: int, file_id: int) -> None:
    """Remove a proof while the claim can still be edited."""
    service.remove_file(claim_id, file_id, current_actor())
