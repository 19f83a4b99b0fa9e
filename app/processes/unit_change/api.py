"""Changes of parent authority through the API. The parents decide through ``/tasks`` (``approve`` / ``reject``)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from ...api.v1.blueprint import Blueprint
from ...api.v1.context import current_actor
from ...api.v1.errors import ErrorSchema
from ...api.v1.schemas import LogEntrySchema, WaitingStepSchema
from ...validation import Id, StrictSchema, Text, length
from . import service
from .views import change_view

blp = Blueprint("unit_changes", __name__, api_prefix="", description="Changes of an organisation (审核机构信息修改)")


class ParentChangeSchema(StrictSchema):
    new_parent_id = Id(required=True, metadata={"description": "the authority to move under"})
    reason = Text(required=True, multiline=True, validate=length(1, 200))


class UnitChangeCancelSchema(StrictSchema):
    reason = Text(allow_none=True, multiline=True, blank=True, validate=length(high=200))


class OrgRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class RequesterSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    phone = fields.String(allow_none=True)


class UnitChangeSchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "parent (更换上级部门)"})
    kind_label = fields.String(required=True)
    org = fields.Nested(OrgRefSchema, required=True)
    org_code = fields.String(allow_none=True)
    old_parent = fields.Nested(OrgRefSchema, allow_none=True)
    new_parent = fields.Nested(OrgRefSchema, allow_none=True)
    reason = fields.String(required=True)
    requested_by = fields.Nested(RequesterSchema, required=True)
    status = fields.String(required=True, metadata={"description": "pending | approved | rejected | cancelled"})
    status_label = fields.String(required=True, metadata={"description": "e.g. 等待原上级审核 / 等待新上级审核"})
    refusal_reason = fields.String(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    applied_at = fields.DateTime(allow_none=True)
    waiting = fields.List(fields.Nested(WaitingStepSchema), required=True,
                          metadata={"description": "each review still waiting, with whom it waits for"})
    log = fields.List(fields.Nested(LogEntrySchema), required=True)
    log_more = fields.Boolean(required=True)


@blp.route("/units/<int:org_id>/parent-change", methods=["POST"])
@blp.arguments(ParentChangeSchema)
@blp.response(201, UnitChangeSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def request_parent_change(body: dict[str, Any], org_id: int) -> dict[str, Any]:
    """The organisation's reviewer or administrator asks to move it under another authority."""
    return change_view(service.request_parent_change(org_id, current_actor(), body))


@blp.route("/unit-changes/<int:change_id>", methods=["GET"])
@blp.response(200, UnitChangeSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(change_id: int) -> dict[str, Any]:
    return change_view(service.get_visible(change_id, current_actor()))


@blp.route("/unit-changes/<int:change_id>/cancel", methods=["POST"])
@blp.arguments(UnitChangeCancelSchema)
@blp.response(200, UnitChangeSchema)
@blp.alt_response(409, schema=ErrorSchema)
def cancel(body: dict[str, Any], change_id: int) -> dict[str, Any]:
    """The organisation withdraws its request while a review waits (a BPMN message)."""
    return change_view(service.cancel(change_id, current_actor(), body.get("reason") or None))
