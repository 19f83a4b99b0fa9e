"""Person info changes through the API. The unit decides through ``/tasks`` (``approve`` / ``reject``)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from ...api.v1.blueprint import Blueprint
from ...api.v1.context import current_actor
from ...api.v1.errors import ErrorSchema
from ...api.v1.schemas import FlowLog, PersonSchema, WaitingStepSchema
from ...validation import StrictSchema, Text, length, one_of
from . import service
from .views import change_view

blp = Blueprint("person_info_changes", __name__, api_prefix="",
                description="Person info changes (人员信息修改, 审核人员信息修改)")
STATUSES = ("pending", "approved", "rejected", "withdrawn")


class PersonInfoChangeRequestSchema(StrictSchema):
    """The details as the person wants them; only the fields that differ make the request."""

    name = Text(validate=length(1, 60))
    phone = Text(validate=length(1, 20), metadata={"description": "an 11-digit mobile number"})
    identity_type = Text(validate=length(1, 20))
    political_status = Text(validate=length(1, 20))
    education = Text(validate=length(1, 20))
    title = Text(validate=length(1, 20))
    title_date = fields.Date(allow_none=True, metadata={"description": "not in the future"})
    title_series = Text(validate=length(1, 20), metadata={"description": "职称系列"})
    specialty = Text(validate=length(1, 60))


class PersonInfoChangeRowSchema(ma.Schema):
    field = fields.String(required=True)
    label = fields.String(required=True)
    changed = fields.Boolean(required=True)
    old = fields.Raw(allow_none=True, metadata={"description": "原值"})
    new = fields.Raw(allow_none=True, metadata={"description": "新值"})
    old_text = fields.String(required=True)
    new_text = fields.String(required=True)


class PersonInfoUnitRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class PersonInfoChangeSchema(ma.Schema):
    id = fields.Integer(required=True)
    person = fields.Nested(PersonSchema, required=True)
    unit = fields.Nested(PersonInfoUnitRefSchema, required=True)
    year = fields.Integer(required=True, metadata={"description": "the enrolment year whose details change"})
    changes = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True,
                          metadata={"description": "{field: {old, new}} of the changed fields only"})
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields", required=True)
    status = fields.String(required=True, metadata={"description": "pending | approved | rejected | withdrawn"})
    status_label = fields.String(required=True, metadata={"description": "待审核 / 审核通过 / 已驳回 / 已撤回"})
    reject_reason = fields.String(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    applied_at = fields.DateTime(allow_none=True)
    rows = fields.List(fields.Nested(PersonInfoChangeRowSchema), required=True)
    waiting = fields.List(fields.Nested(WaitingStepSchema), required=True)
    log = FlowLog(required=True)
    log_more = fields.Boolean(required=True)


class PersonInfoChangeListItemSchema(PersonInfoChangeSchema):
    class Meta:
        exclude = ("rows", "waiting", "log", "log_more")


class PersonInfoChangeListSchema(ma.Schema):
    items = fields.List(fields.Nested(PersonInfoChangeListItemSchema), required=True)
    total = fields.Integer(required=True)


class PersonInfoMyProfileSchema(ma.Schema):
    year = fields.Integer(allow_none=True, metadata={"description": "the enrolment year holding the details"})
    values = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True)
    locked = fields.Boolean(required=True, metadata={
        "description": "printed once: the details change only through this review"})
    pending = fields.Nested(PersonInfoChangeSchema, allow_none=True, required=True)
    history = fields.List(fields.Nested(PersonInfoChangeListItemSchema), required=True)


class PersonInfoChangeQuerySchema(StrictSchema):
    status = Text(validate=one_of(STATUSES))
    name = Text(validate=length(1, 30), metadata={"description": "part of the person's name"})


def my_profile(actor: Any) -> dict[str, Any]:
    enrollment = service.profile_enrollment(actor.id)
    pending = service.pending_of(actor.id)
    return {"year": enrollment.year if enrollment else None,
            "values": service.current_values(actor.id, enrollment), "locked": service.locked(actor.id),
            "pending": change_view(pending) if pending else None,
            "history": [change_view(c, with_log=False) for c in service.history_of(actor.id)]}


@blp.route("/me/profile-change", methods=["GET"])
@blp.response(200, PersonInfoMyProfileSchema)
def get_mine() -> dict[str, Any]:
    """The caller's details as they are now, and their change waiting for review (if any)."""
    return my_profile(current_actor())


@blp.route("/me/profile-change", methods=["POST"])
@blp.arguments(PersonInfoChangeRequestSchema)
@blp.response(201, PersonInfoChangeSchema)
@blp.alt_response(409, schema=ErrorSchema, description="a change already waits, or nothing changed")
@blp.alt_response(422, schema=ErrorSchema)
def request_change(body: dict[str, Any]) -> dict[str, Any]:
    """人员信息修改: ask to change some details; the unit's reviewers approve or reject it."""
    return change_view(service.request_change(current_actor(), body))


@blp.route("/me/profile", methods=["POST"])
@blp.arguments(PersonInfoChangeRequestSchema)
@blp.response(201, PersonInfoChangeSchema)
@blp.alt_response(409, schema=ErrorSchema, description="a change already waits, or nothing changed")
@blp.alt_response(422, schema=ErrorSchema)
def request_profile_change(body: dict[str, Any]) -> dict[str, Any]:
    """人员信息修改 (the same as ``POST /me/profile-change``): a change of the details ``GET /me/profile`` shows,
    reviewed by the unit before it counts."""
    return change_view(service.request_change(current_actor(), body))


@blp.route("/me/profile-change/withdraw", methods=["POST"])
@blp.response(200, PersonInfoChangeSchema)
@blp.alt_response(409, schema=ErrorSchema, description="no change waiting")
def withdraw() -> dict[str, Any]:
    """撤回: take the waiting change back (a BPMN message)."""
    return change_view(service.withdraw(current_actor()))


@blp.route("/profile-changes", methods=["GET"])
@blp.arguments(PersonInfoChangeQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, PersonInfoChangeListSchema)
def list_changes(query: dict[str, Any]) -> dict[str, Any]:
    """审核人员信息修改: the changes asked by the people of the caller's units, newest first."""
    items = [change_view(c, with_log=False)
             for c in service.list_for_units(current_actor(), query.get("status"), query.get("name"))]
    return {"items": items, "total": len(items)}


@blp.route("/profile-changes/<int:change_id>", methods=["GET"])
@blp.response(200, PersonInfoChangeSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(change_id: int) -> dict[str, Any]:
    """One change with its details side by side (变更明细)."""
    return change_view(service.get_visible(change_id, current_actor()))
