"""Classes through the API (``/classes``). The HR department decides through ``/tasks``:
``approve`` / ``rollback`` on a submitted class; ``rollback`` (send back for changes) /
``reject`` (refuse) on a change request."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from ...api.v1.blueprint import Blueprint
from ...api.v1.context import current_actor
from ...api.v1.errors import ErrorSchema
from ...api.v1.schemas import FlowLog, OkSchema, WaitingStepSchema
from ...validation import Id, StrictSchema, Text, Year, between, count, length, one_of
from ..provider_prefiling.api import CourseSchema, FilingOrgSchema, ScopeSchema
from . import service
from .views import class_view, public_view

blp = Blueprint("classes", __name__, api_prefix="/classes", description="Classes (培训班信息)")

STATUSES = ("draft", "hr_review", "rolled_back", "approved", "open", "change_requested", "closed")


def _unique_specialties(items: list[dict[str, Any]]) -> None:
    keys = [(i["series"], i["specialty"], i["level"]) for i in items]
    if len(set(keys)) != len(keys):
        raise ma.ValidationError("Each series, specialty and level only once.")


def _unique_years(items: list[int]) -> None:
    if len(set(items)) != len(items):
        raise ma.ValidationError("Each year only once.")


class ClassInputSchema(StrictSchema):
    """The class's fields (seed 004 §三), each within its length; 确定 checks them all."""

    subject = Text(validate=one_of(tuple(service.SUBJECTS)), metadata={
        "description": "the ledger category its hours are credited to: professional | public_general | "
                       "public_industry"})
    specialties = fields.List(fields.Nested(ScopeSchema), validate=[count(0, 50), _unique_specialties],
                              metadata={"description": "培训专业: a subset of the filing's scope, with level"})
    years = fields.List(Year(), validate=[count(0, 10), _unique_years], metadata={"description": "年度范围"})
    enrol_from = fields.Date(metadata={"description": "报名开始时间"})
    enrol_until = fields.Date(metadata={"description": "报名结束时间"})
    resubmit_until = fields.Date(metadata={"description": "退回再次提交截止时间 (after the enrolment closes)"})
    has_package = fields.Boolean(metadata={"description": "是否选择课程包"})
    package = fields.List(fields.Nested(CourseSchema), validate=count(0, 50))
    seat_limit = fields.Integer(strict=True, validate=between(0, 100_000), metadata={
        "description": "限制报名人数 (0: no limit)"})
    report_venue = Text(blank=True, validate=length(high=100), metadata={"description": "报到地点"})
    class_venue = Text(blank=True, validate=length(high=100), metadata={"description": "上课地点"})
    contact_name = Text(blank=True, validate=length(high=50), metadata={"description": "联系人"})
    contact_phone = Text(blank=True, validate=length(high=50), metadata={"description": "联系电话 (several allowed)"})
    notes = Text(blank=True, validate=length(high=50), metadata={"description": "特殊说明"})


class ClassCreateSchema(ClassInputSchema):
    prefiling_id = Id(required=True, metadata={"description": "a filed pre-training filing of the provider"})


class ClassListQuerySchema(StrictSchema):
    status = Text(validate=one_of(STATUSES))
    year = Year()
    open = fields.Boolean(metadata={"description": "true: the classes open for enrolment today (any signed-in "
                                                   "user; with specialty and level to narrow them)"})
    specialty = Text(validate=length(1, 30))
    level = Text(validate=length(1, 20))


class ChangeRequestSchema(StrictSchema):
    reason = Text(required=True, multiline=True, validate=length(1, 200), metadata={
        "description": "why the class should be sent back (e.g. the enrolment deadline must move)"})


class ClassSchema(ma.Schema):
    id = fields.Integer(required=True)
    prefiling_id = fields.Integer(required=True)
    name = fields.String(required=True)
    provider = fields.Nested(FilingOrgSchema, required=True)
    hr_department = fields.Nested(FilingOrgSchema, allow_none=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    venue = fields.String()
    total_hours = fields.Float(allow_none=True)
    subject = fields.String()
    subject_label = fields.String()
    specialties = fields.List(fields.Dict())
    years = fields.List(fields.Integer())
    enrol_from = fields.Date(allow_none=True)
    enrol_until = fields.Date(allow_none=True)
    resubmit_until = fields.Date(allow_none=True)
    has_package = fields.Boolean()
    package = fields.List(fields.Dict())
    seat_limit = fields.Integer()
    seats_taken = fields.Integer()
    seats_left = fields.Integer(allow_none=True, metadata={"description": "null: no limit"})
    report_venue = fields.String()
    class_venue = fields.String()
    contact_name = fields.String()
    contact_phone = fields.String()
    notes = fields.String()
    accepting = fields.Boolean(metadata={"description": "open and within its enrolment window today"})
    status = fields.String(required=True)
    status_label = fields.String(required=True, metadata={
        "description": "未提交 / 待人社部门审核 / 待开启 / 已开启 / …"})
    comment = fields.String(allow_none=True, metadata={"description": "the last send-back's or refusal's comment"})
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    opened_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    waiting = fields.List(fields.Nested(WaitingStepSchema))
    log = FlowLog()
    log_more = fields.Boolean()


class ClassListSchema(ma.Schema):
    items = fields.List(fields.Nested(ClassSchema), required=True)
    total = fields.Integer(required=True)


def json_ready(body: dict[str, Any]) -> dict[str, Any]:
    """Package hours are kept in the record's JSON as text (exact decimals)."""
    if "package" in body:
        body["package"] = [{**c, "hours": str(c["hours"])} for c in body["package"]]
    return body


@blp.route("", methods=["POST"])
@blp.arguments(ClassCreateSchema)
@blp.response(201, ClassSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def create(body: dict[str, Any]) -> dict[str, Any]:
    """新增 (确定): a class from a filed pre-training filing, every field checked."""
    return class_view(service.create(current_actor(), json_ready(body)))


@blp.route("", methods=["GET"])
@blp.arguments(ClassListQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, ClassListSchema)
def list_classes(query: dict[str, Any]) -> dict[str, Any]:
    """``open=true``: the classes a trainee may enrol in today (for ``specialty`` and ``level``);
    otherwise the caller's provider's classes, or those that reached the caller's HR department."""
    if query.get("open"):
        items = [public_view(c) for c in service.open_for(query.get("specialty"), query.get("level"))]
    else:
        items = [class_view(c, with_log=False) for c in service.list_for(
            current_actor(), status=query.get("status"), year=query.get("year"))]
    return {"items": items, "total": len(items)}


@blp.route("/<int:class_id>", methods=["GET"])
@blp.response(200, ClassSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(class_id: int) -> dict[str, Any]:
    actor = current_actor()
    cls = service.get_visible(class_id, actor)
    if service.reviewable_by(cls, actor):
        return class_view(cls)
    return public_view(cls)


@blp.route("/<int:class_id>", methods=["PATCH"])
@blp.arguments(ClassInputSchema)
@blp.response(200, ClassSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def update(body: dict[str, Any], class_id: int) -> dict[str, Any]:
    """Change the class while it is a draft or sent back (read-only after 提交审核)."""
    return class_view(service.update(class_id, current_actor(), json_ready(body)))


@blp.route("/<int:class_id>", methods=["DELETE"])
@blp.response(200, OkSchema)
@blp.alt_response(409, schema=ErrorSchema)
def delete(class_id: int) -> dict[str, Any]:
    """Delete a class never submitted (409 once submitted)."""
    service.delete(class_id, current_actor())
    return {"ok": True}


@blp.route("/<int:class_id>/submit", methods=["POST"])
@blp.response(200, ClassSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def submit(class_id: int) -> dict[str, Any]:
    """提交审核 to the HR department that filed the class."""
    return class_view(service.submit(class_id, current_actor()))


@blp.route("/<int:class_id>/open", methods=["POST"])
@blp.response(200, ClassSchema)
@blp.alt_response(409, schema=ErrorSchema)
def open_class(class_id: int) -> dict[str, Any]:
    """开启: publish the approved class; trainees see it and enrol within its window."""
    return class_view(service.open_class(class_id, current_actor()))


@blp.route("/<int:class_id>/change-request", methods=["POST"])
@blp.arguments(ChangeRequestSchema)
@blp.response(200, ClassSchema)
@blp.alt_response(409, schema=ErrorSchema)
def change_request(body: dict[str, Any], class_id: int) -> dict[str, Any]:
    """申请变更 (seed 004 §六): ask the HR department to send the open class back, e.g. to move its
    enrolment deadline; the HR department sends it back (``rollback``) or refuses (``reject``)."""
    return class_view(service.request_change(class_id, current_actor(), body["reason"]))
