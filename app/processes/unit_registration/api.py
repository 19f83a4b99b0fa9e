"""Unit registrations through the API: anyone registers a unit with its administrator's account;
the applicant follows it; the parent authority decides through ``/tasks`` (``approve`` / ``reject``)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import request
from marshmallow import fields

from ...api.v1.blueprint import Blueprint
from ...api.v1.context import current_actor
from ...api.v1.errors import ErrorSchema
from ...api.v1.schemas import FlowLog, WaitingStepSchema
from ...models import UNIT_TYPES
from ...services import throttle
from ...validation import Id, StrictSchema, Text, length
from . import service
from .views import registration_view

blp = Blueprint("unit_registrations", __name__, api_prefix="",
                description="Unit registrations (用人单位注册, 审核用人单位)")


class UnitDetailsInSchema(StrictSchema):
    name = Text(required=True, validate=length(high=60), metadata={"description": "单位名称"})
    unit_type = Text(required=True, validate=length(high=20),
                     metadata={"description": "单位性质: " + " | ".join(UNIT_TYPES)})
    industry = Text(required=True, validate=length(high=40), metadata={"description": "所属行业"})
    credit_code = Text(required=True, validate=length(high=18), metadata={"description": "统一社会信用代码 (GB 32100)"})
    parent_id = Id(required=True, metadata={"description": "the parent authority (主管部门)"})


class UnitRegistrationInSchema(UnitDetailsInSchema):
    username = Text(required=True, validate=length(high=32), metadata={"description": "the administrator's login"})
    admin_name = Text(required=True, validate=length(high=30), metadata={"description": "管理员姓名"})
    phone = Text(required=True, validate=length(high=20), metadata={"description": "管理员手机"})
    password = Text(required=True, strip=False, validate=length(high=128), load_only=True)


class RegisteredOrgSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class RegistrationApplicantSchema(ma.Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    name = fields.String(required=True)
    phone = fields.String(allow_none=True)


class UnitRegistrationSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    unit_type = fields.String(required=True)
    industry = fields.String(required=True)
    credit_code = fields.String(required=True)
    parent = fields.Nested(RegisteredOrgSchema, required=True)
    applicant = fields.Nested(RegistrationApplicantSchema, required=True)
    status = fields.String(required=True, metadata={"description": "pending | approved | rejected"})
    status_label = fields.String(required=True, metadata={"description": "待审核 | 审核通过 | 审核不通过"})
    refusal_reason = fields.String(allow_none=True)
    org = fields.Nested(RegisteredOrgSchema, allow_none=True, metadata={"description": "the unit, once approved"})
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(allow_none=True)
    waiting = fields.List(fields.Nested(WaitingStepSchema), required=True)
    log = FlowLog(required=True)
    log_more = fields.Boolean(required=True)


@blp.route("/units", methods=["POST"])
@blp.arguments(UnitRegistrationInSchema)
@blp.response(201, UnitRegistrationSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(security=[])
def register(body: dict[str, Any]) -> dict[str, Any]:
    """用人单位注册 (no login): the unit and its first administrator's account; the parent authority
    reviews it. The account can log in at once to follow the registration."""
    throttle.registration(request.remote_addr or "")
    return registration_view(service.register(body))


@blp.route("/unit-registrations", methods=["POST"])
@blp.arguments(UnitDetailsInSchema)
@blp.response(201, UnitRegistrationSchema)
@blp.alt_response(409, schema=ErrorSchema, description="no refused registration of mine, or one is waiting")
@blp.alt_response(422, schema=ErrorSchema)
def register_again(body: dict[str, Any]) -> dict[str, Any]:
    """重新注册: an applicant whose registration was refused files the unit again from the same account."""
    return registration_view(service.register_again(current_actor(), body))


@blp.route("/unit-registrations/<int:registration_id>", methods=["GET"])
@blp.response(200, UnitRegistrationSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(registration_id: int) -> dict[str, Any]:
    """The applicant's registration (also its parent authority's reviewers)."""
    return registration_view(service.get_visible(registration_id, current_actor()))
