"""Class enrolments through the API (``/class-enrollments``). The provider decides through
``/tasks``: ``approve`` or ``return`` (send back, with comments)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from ...api.v1.blueprint import Blueprint
from ...api.v1.context import current_actor
from ...api.v1.errors import ErrorSchema
from ...api.v1.schemas import FlowLog, OkSchema, WaitingStepSchema
from ...validation import INT32_MAX, Id, StrictSchema, Text, Year, between, count, length, one_of, pattern
from ..class_publication.api import ClassSchema
from ..provider_prefiling.api import LEVELS, MOBILE, FilingOrgSchema
from . import service
from .views import enrollment_view

blp = Blueprint("class_enrollments", __name__, api_prefix="/class-enrollments",
                description="Class enrolments (学员报名)")

STATUSES = ("draft", "provider_review", "returned", "approved", "closed")


class ClassEnrollmentInputSchema(StrictSchema):
    year = Year(metadata={"description": "the year its hours count for: one of the class's years"})
    series = Text(validate=length(1, 30))
    specialty = Text(validate=length(1, 30), metadata={"description": "报名专业: one of the class's"})
    level = Text(validate=one_of(LEVELS))
    phone = Text(validate=pattern(MOBILE, "An 11-digit mobile number."))
    unit_name = Text(validate=length(1, 100), metadata={"description": "工作单位"})
    courses = fields.List(Text(validate=length(1, 100)), validate=count(0, 50), metadata={
        "description": "courses chosen from the class's package (by content)"})
    remark = Text(blank=True, multiline=True, validate=length(high=200))


class ClassEnrollmentCreateSchema(ClassEnrollmentInputSchema):
    class_id = Id(required=True, metadata={"description": "an open class (GET /classes?open=true)"})


class EnrollmentListQuerySchema(StrictSchema):
    reviewing = fields.Boolean(load_default=False, metadata={
        "description": "true: the submitted enrolments in the caller's provider's classes (学员报名审核)"})
    class_id = fields.Integer(validate=between(1, INT32_MAX))
    status = Text(validate=one_of(STATUSES))


class EnrolledTraineeSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    id_number = fields.String(metadata={"description": "masked"})


class ClassEnrollmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    class_id = fields.Integer(required=True)
    class_name = fields.String(required=True)
    provider = fields.Nested(FilingOrgSchema, required=True)
    trainee = fields.Nested(EnrolledTraineeSchema, required=True)
    year = fields.Integer()
    series = fields.String()
    specialty = fields.String()
    level = fields.String()
    phone = fields.String()
    unit_name = fields.String()
    courses = fields.List(fields.String())
    remark = fields.String()
    holds_seat = fields.Boolean(metadata={"description": "submitted and not closed: a seat of the class is its"})
    status = fields.String(required=True)
    status_label = fields.String(required=True, metadata={
        "description": "未提交 / 待基地审核 / 已退回 / 审核通过 / 报名已关闭"})
    return_comment = fields.String(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    klass = fields.Nested(ClassSchema, metadata={"description": "the class (in the detail)"})
    waiting = fields.List(fields.Nested(WaitingStepSchema))
    log = FlowLog()
    log_more = fields.Boolean()


class ClassEnrollmentListSchema(ma.Schema):
    items = fields.List(fields.Nested(ClassEnrollmentSchema), required=True)
    total = fields.Integer(required=True)


@blp.route("", methods=["POST"])
@blp.arguments(ClassEnrollmentCreateSchema)
@blp.response(201, ClassEnrollmentSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def create(body: dict[str, Any]) -> dict[str, Any]:
    """保存: enrol in an open class (what is not given comes from the trainee's profile)."""
    return enrollment_view(service.create(current_actor(), body))


@blp.route("", methods=["GET"])
@blp.arguments(EnrollmentListQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, ClassEnrollmentListSchema)
def list_enrollments(query: dict[str, Any]) -> dict[str, Any]:
    """The caller's own enrolments, or with ``reviewing=true`` those in the caller's provider's classes."""
    actor = current_actor()
    rows = (service.for_provider(actor, query.get("class_id"), query.get("status")) if query["reviewing"]
            else service.mine(actor))
    items = [enrollment_view(e, with_log=False) for e in rows]
    return {"items": items, "total": len(items)}


@blp.route("/<int:enrollment_id>", methods=["GET"])
@blp.response(200, ClassEnrollmentSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(enrollment_id: int) -> dict[str, Any]:
    return enrollment_view(service.get_visible(enrollment_id, current_actor()))


@blp.route("/<int:enrollment_id>", methods=["PATCH"])
@blp.arguments(ClassEnrollmentInputSchema)
@blp.response(200, ClassEnrollmentSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def update(body: dict[str, Any], enrollment_id: int) -> dict[str, Any]:
    """Change it while a draft or sent back."""
    return enrollment_view(service.update(enrollment_id, current_actor(), body))


@blp.route("/<int:enrollment_id>", methods=["DELETE"])
@blp.response(200, OkSchema)
@blp.alt_response(409, schema=ErrorSchema)
def delete(enrollment_id: int) -> dict[str, Any]:
    """Delete a draft never submitted."""
    service.delete(enrollment_id, current_actor())
    return {"ok": True}


@blp.route("/<int:enrollment_id>/submit", methods=["POST"])
@blp.response(200, ClassEnrollmentSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def submit(enrollment_id: int) -> dict[str, Any]:
    """提交 to the provider: within the enrolment window (taking a seat), or after a send-back until the
    class's resubmit deadline; 409 ``class_full`` when no seat is left."""
    return enrollment_view(service.submit(enrollment_id, current_actor()))
