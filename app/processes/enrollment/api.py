"""Annual enrolment (报名): create, read, and edit + resubmit after a rejection."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from ...api.v1.blueprint import Blueprint
from ...api.v1.context import current_actor
from ...api.v1.errors import ErrorSchema
from ...api.v1.schemas import FlowLog, PersonSchema
from ...validation import Id, StrictSchema, Text, Year, length
from . import service as enrollments
from .views import enrollment_view

blp = Blueprint("enrollments", __name__, api_prefix="/enrollments", description="Annual enrolment (报名审核)")


class EnrollmentCreateSchema(StrictSchema):
    year = Year(required=True)
    unit_id = Id(required=True)
    identity_type = Text(required=True)
    political_status = Text(required=True)
    education = Text(required=True)
    title = Text(required=True)
    title_date = fields.Date(allow_none=True)
    specialty = Text(required=True, validate=length(1, 40))


class EnrollmentPatchSchema(StrictSchema):
    unit_id = Id()
    identity_type = Text()
    political_status = Text()
    education = Text()
    title = Text()
    title_date = fields.Date(allow_none=True)
    specialty = Text(validate=length(1, 40))


class EnrollmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    unit_name = fields.String(required=True)
    identity_type = fields.String(required=True)
    political_status = fields.String(required=True)
    education = fields.String(required=True)
    title = fields.String(required=True)
    title_date = fields.Date(allow_none=True)
    specialty = fields.String(required=True)
    status = fields.String(required=True)
    status_label = fields.String(required=True)
    approved = fields.Boolean(required=True)
    review_comment = fields.String(allow_none=True, metadata={"description": "reason of the last rejection"})
    trainee = fields.Nested(PersonSchema, required=True)
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    log = FlowLog(required=True,
                      metadata={"description": "the latest 50 entries, newest first"})
    log_more = fields.Boolean(required=True)


class EnrollmentListItemSchema(EnrollmentSchema):
    class Meta:
        exclude = ("log", "log_more")


class EnrollmentListSchema(ma.Schema):
    items = fields.List(fields.Nested(EnrollmentListItemSchema), required=True)
    total = fields.Integer(required=True)


@blp.route("", methods=["POST"])
@blp.arguments(EnrollmentCreateSchema)
@blp.response(201, EnrollmentSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def create(body: dict[str, Any]) -> dict[str, Any]:
    """Enrol for a year with a unit; re-enrolment with the same unit is approved at once."""
    return enrollment_view(enrollments.create(current_actor(), body))


@blp.route("", methods=["GET"])
@blp.response(200, EnrollmentListSchema)
def list_enrollments() -> dict[str, Any]:
    items = [enrollment_view(e, with_log=False) for e in enrollments.list_for(current_actor())]
    return {"items": items, "total": len(items)}


@blp.route("/<int:enrollment_id>", methods=["GET"])
@blp.response(200, EnrollmentSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(enrollment_id: int) -> dict[str, Any]:
    return enrollment_view(enrollments.get_visible(enrollment_id, current_actor()))


@blp.route("/<int:enrollment_id>", methods=["PATCH"])
@blp.arguments(EnrollmentPatchSchema)
@blp.response(200, EnrollmentSchema)
@blp.alt_response(409, schema=ErrorSchema)
def patch(body: dict[str, Any], enrollment_id: int) -> dict[str, Any]:
    """Edit a rejected enrolment (the unit may change; the new unit then reviews)."""
    return enrollment_view(enrollments.update(enrollment_id, current_actor(), body))


@blp.route("/<int:enrollment_id>/submit", methods=["POST"])
@blp.response(200, EnrollmentSchema)
@blp.alt_response(409, schema=ErrorSchema)
def submit(enrollment_id: int) -> dict[str, Any]:
    """Resubmit a rejected enrolment to the unit's review."""
    return enrollment_view(enrollments.submit(enrollment_id, current_actor()))
