"""Online courses through the API: the catalogue, 我的课程 and the study clock's heartbeats."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from ..api.v1.blueprint import Blueprint
from ..api.v1.context import current_actor
from ..api.v1.errors import ErrorSchema
from ..api.v1.schemas import OkSchema
from ..models.ledger import CATEGORIES
from ..validation import INT32_MAX, Id, StrictSchema, Text, between, count, length, one_of
from . import service
from .views import category_view, course_view, my_course_view

blp = Blueprint("courses", __name__, api_prefix="", description="Online courses (网络课程)")


class CatalogueQuerySchema(StrictSchema):
    category_id = fields.Integer(validate=between(1, INT32_MAX),
                                 metadata={"description": "a category and everything under it"})
    subject = Text(validate=one_of(CATEGORIES))
    q = Text(validate=length(1, 50), metadata={"description": "part of the course's name"})
    sort = Text(validate=one_of(tuple(service.SORTS)), metadata={"description": "duration | hours | title"})
    order = Text(validate=one_of(("asc", "desc")), load_default="asc")


class CourseCategorySchema(ma.Schema):
    id = fields.Integer(required=True)
    parent_id = fields.Integer(allow_none=True)
    name = fields.String(required=True)
    subject = fields.String(required=True)
    subject_label = fields.String(required=True)


class OnlineCourseSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    category = fields.Nested(CourseCategorySchema, required=True)
    kind = fields.String(required=True, metadata={"description": "video | document"})
    duration_seconds = fields.Integer(required=True, metadata={"description": "the minimum study time"})
    hours = fields.Float(required=True)
    subject = fields.String(required=True)
    subject_label = fields.String(required=True)


class MyCourseSchema(ma.Schema):
    course = fields.Nested(OnlineCourseSchema, required=True)
    added_at = fields.DateTime(required=True)
    studied_seconds = fields.Integer(required=True, metadata={"description": "已学时间, counted by the server"})
    duration_seconds = fields.Integer(required=True)
    progress = fields.Float(required=True, metadata={"description": "进度, percent"})
    completed = fields.Boolean(required=True)
    completed_at = fields.DateTime(allow_none=True)


class ListOf(ma.Schema):
    total = fields.Integer(required=True)


class OnlineCourseListSchema(ListOf):
    items = fields.List(fields.Nested(OnlineCourseSchema), required=True)


class CourseCategoryListSchema(ListOf):
    items = fields.List(fields.Nested(CourseCategorySchema), required=True)


class MyCourseListSchema(ListOf):
    items = fields.List(fields.Nested(MyCourseSchema), required=True)


class MineQuerySchema(StrictSchema):
    tab = Text(validate=one_of(service.TABS), load_default="all",
               metadata={"description": "unstudied (未学课程) | studied (已学课程) | all (全部课程)"})


class AddSchema(StrictSchema):
    course_ids = fields.List(Id(), required=True, validate=count(1, 100), metadata={"description": "批量添加"})


class StartSchema(ma.Schema):
    session = fields.String(required=True, metadata={"description": "this window's study session"})
    studied_seconds = fields.Integer(required=True)
    duration_seconds = fields.Integer(required=True)
    progress = fields.Float(required=True)
    completed = fields.Boolean(required=True)
    completed_at = fields.DateTime(allow_none=True)
    heartbeat_seconds = fields.Integer(required=True, metadata={"description": "how often to beat"})
    idle_seconds = fields.Integer(required=True, metadata={"description": "after this long without interaction, "
                                                                          "beat with idle=true"})


class HeartbeatSchema(StrictSchema):
    session = Text(required=True, validate=length(1, 64))
    seq = fields.Integer(strict=True, required=True, validate=between(1, 10_000_000),
                         metadata={"description": "1, 2, 3 … within the session (a replay answers 409)"})
    idle = fields.Boolean(load_default=False, metadata={"description": "no interaction for IDLE_SECONDS"})


class BeatSchema(ma.Schema):
    counted_seconds = fields.Integer(required=True, metadata={
        "description": "what this beat added: at most the real time since the previous beat, capped"})
    studied_seconds = fields.Integer(required=True)
    duration_seconds = fields.Integer(required=True)
    progress = fields.Float(required=True)
    completed = fields.Boolean(required=True)
    completed_at = fields.DateTime(allow_none=True)


@blp.route("/course-categories", methods=["GET"])
@blp.response(200, CourseCategoryListSchema)
def list_categories() -> dict[str, Any]:
    items = [category_view(c) for c in service.categories()]
    return {"items": items, "total": len(items)}


@blp.route("/courses", methods=["GET"])
@blp.arguments(CatalogueQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, OnlineCourseListSchema)
def list_courses(query: dict[str, Any]) -> dict[str, Any]:
    """The catalogue: by category (and below), subject, part of the name; sorted by duration or hours."""
    items = [course_view(c) for c in service.catalogue(
        category_id=query.get("category_id"), subject=query.get("subject"), q=query.get("q"),
        sort=query.get("sort"), descending=query["order"] == "desc")]
    return {"items": items, "total": len(items)}


@blp.route("/me/courses", methods=["GET"])
@blp.arguments(MineQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, MyCourseListSchema)
def my_courses(query: dict[str, Any]) -> dict[str, Any]:
    items = [my_course_view(row) for row in service.mine(current_actor(), query["tab"])]
    return {"items": items, "total": len(items)}


@blp.route("/me/courses", methods=["POST"])
@blp.arguments(AddSchema)
@blp.response(200, MyCourseListSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def add_courses(body: dict[str, Any]) -> dict[str, Any]:
    """添加到我的课程: one or many courses (those already there stay as they are)."""
    items = [my_course_view(row) for row in service.add(current_actor(), body["course_ids"])]
    return {"items": items, "total": len(items)}


@blp.route("/me/courses/<int:course_id>", methods=["DELETE"])
@blp.response(200, OkSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
def remove_course(course_id: int) -> dict[str, Any]:
    service.remove(current_actor(), course_id)
    return {"ok": True}


@blp.route("/me/courses/<int:course_id>/start", methods=["POST"])
@blp.response(200, StartSchema)
@blp.alt_response(404, schema=ErrorSchema)
def start(course_id: int) -> dict[str, Any]:
    """开始学习: a study session for this window; a window that studied before stops counting."""
    return service.start(current_actor(), course_id)


@blp.route("/me/courses/<int:course_id>/heartbeat", methods=["POST"])
@blp.arguments(HeartbeatSchema)
@blp.response(200, BeatSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema, description="``session_replaced`` (another window or device studies "
                                                        "now) or ``stale_heartbeat`` (a replay)")
def heartbeat(body: dict[str, Any], course_id: int) -> dict[str, Any]:
    """One beat of the study clock: counts the real time since the previous beat of this session."""
    return service.heartbeat(current_actor(), course_id, body["session"], body["seq"], body["idle"])
