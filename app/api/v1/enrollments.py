"""Annual enrolment (报名): create, read, and edit + resubmit after a rejection."""
from __future__ import annotations

from typing import Any

from ...services import enrollments
from ...services.presenters import enrollment_view
from . import current_actor
from .blueprint import Blueprint
from .errors import ErrorSchema
from .schemas import EnrollmentCreateSchema, EnrollmentListSchema, EnrollmentPatchSchema, EnrollmentSchema

URL_PREFIX = "/enrollments"
blp = Blueprint("enrollments", __name__, description="Annual enrolment (报名审核)")


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
