"""Changes of an organisation through the API: of parent authority, of name / credit code. The
authorities decide through ``/tasks`` (``approve`` / ``reject``)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from ...api.v1.blueprint import Blueprint
from ...api.v1.context import current_actor
from ...api.v1.errors import ErrorSchema
from ...api.v1.schemas import FlowLog, WaitingStepSchema
from ...validation import Id, StrictSchema, Text, length
from . import service
from .views import change_view

blp = Blueprint("unit_changes", __name__, api_prefix="", description="Changes of an organisation (审核机构信息修改)")


class ParentChangeSchema(StrictSchema):
    new_parent_id = Id(required=True, metadata={"description": "the authority to move under"})
    reason = Text(required=True, multiline=True, validate=length(1, 200))


class InfoChangeSchema(StrictSchema):
    name = Text(allow_none=True, blank=True, validate=length(high=120),
                metadata={"description": "the new name (单位名称); empty or absent: unchanged"})
    code = Text(allow_none=True, blank=True, validate=length(high=40),
                metadata={"description": "the new unified social credit code (统一社会信用代码); empty or absent: "
                                         "unchanged"})
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
    kind = fields.String(required=True, metadata={"description": "parent (更换上级部门) | info (修改单位信息)"})
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
    old_name = fields.String(allow_none=True, metadata={"description": "info: the name when asked"})
    new_name = fields.String(allow_none=True, metadata={"description": "info: the new name (null: unchanged)"})
    old_code = fields.String(allow_none=True, metadata={"description": "info: the credit code when asked"})
    new_code = fields.String(allow_none=True, metadata={"description": "info: the new code (null: unchanged)"})
    waiting = fields.List(fields.Nested(WaitingStepSchema), required=True,
                          metadata={"description": "each review still waiting, with whom it waits for"})
    log = FlowLog(required=True)
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


@blp.route("/units/<int:org_id>/changes", methods=["POST"])
@blp.arguments(InfoChangeSchema)
@blp.response(201, UnitChangeSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def request_info_change(body: dict[str, Any], org_id: int) -> dict[str, Any]:
    """修改单位信息: the organisation's administrator asks for a new name and/or credit code; its parent
    authority reviews. Refused while any change of the organisation waits."""
    return change_view(service.request_info_change(org_id, current_actor(), body))


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
