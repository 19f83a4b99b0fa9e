"""Course administration through the API (课程管理员 only; anyone else 403): the category tree and the
courses, their video or PDF (multipart, checked by content) and publishing."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response
from marshmallow import fields

from ..api.v1.blueprint import Blueprint
from ..api.v1.context import current_actor
from ..api.v1.errors import ErrorSchema
from ..api.v1.files import uploaded
from ..models.ledger import CATEGORIES
from ..validation import HoursIn, Id, StrictSchema, Text, between, length, one_of
from . import admin, media
from .api import CourseCategorySchema, ListOf, OnlineCourseSchema
from .pages import media_response
from .views import admin_category_view, admin_course_list, admin_course_view

blp = Blueprint("course_admin", __name__, api_prefix="/admin", description="Course administration (课程管理)")

MEDIA_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "mp4 or webm video, or PDF; checked by content"}}}}}}}
MEDIA_OUT_DOC = {"responses": {"200": {"description": "The course's video or PDF (byte ranges accepted)",
                                       "content": {t: {"schema": {"type": "string", "format": "binary"}}
                                                   for t in ("video/mp4", "video/webm", "application/pdf")}}}}


class AdminCategorySchema(CourseCategorySchema):
    active = fields.Boolean(required=True, metadata={"description": "false: 停用 (hidden with everything under it)"})


class AdminCategoryListSchema(ListOf):
    items = fields.List(fields.Nested(AdminCategorySchema), required=True)


class CategoryInputSchema(StrictSchema):
    name = Text(required=True, validate=length(1, 50))
    parent_id = Id(allow_none=True, load_default=None)
    subject = Text(validate=one_of(CATEGORIES), metadata={"description": "top-level categories only; a nested "
                                                                         "one takes its parent's"})


class CategoryUpdateSchema(StrictSchema):
    name = Text(validate=length(1, 50))
    parent_id = Id(allow_none=True, metadata={"description": "null: top level"})
    active = fields.Boolean()


class AdminCourseSchema(OnlineCourseSchema):
    active = fields.Boolean(required=True, metadata={"description": "published (已发布)"})
    has_media = fields.Boolean(required=True)
    media_type = fields.String(allow_none=True)
    studied = fields.Boolean(required=True, metadata={"description": "a learner started or finished it: hours, "
                                                                     "subject and minimum time are fixed"})


class AdminCourseListSchema(ListOf):
    items = fields.List(fields.Nested(AdminCourseSchema), required=True)


class CourseInputSchema(StrictSchema):
    title = Text(required=True, validate=length(1, 100))
    category_id = Id(required=True)
    kind = Text(validate=one_of(("video", "document")), load_default="video")
    duration_minutes = fields.Integer(strict=True, required=True, validate=between(1, 6000),
                                      metadata={"description": "最少学习时间, minutes"})
    hours = HoursIn(required=True)


class CourseUpdateSchema(StrictSchema):
    title = Text(validate=length(1, 100))
    category_id = Id()
    duration_minutes = fields.Integer(strict=True, validate=between(1, 6000))
    hours = HoursIn()


class PublishSchema(StrictSchema):
    active = fields.Boolean(required=True, metadata={"description": "true: 发布; false: 下架"})


class CourseEventSchema(ma.Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor_name = fields.String(required=True)
    action = fields.String(required=True)
    course_id = fields.Integer(allow_none=True)
    category_id = fields.Integer(allow_none=True)
    data = fields.Dict(required=True)


class CourseEventListSchema(ListOf):
    items = fields.List(fields.Nested(CourseEventSchema), required=True)


def _categories() -> dict[str, Any]:
    items = [admin_category_view(c) for c in admin.all_categories()]
    return {"items": items, "total": len(items)}


@blp.route("/course-categories", methods=["GET"])
@blp.response(200, AdminCategoryListSchema)
@blp.alt_response(403, schema=ErrorSchema)
def list_categories() -> dict[str, Any]:
    """Every category, disabled ones too."""
    admin.require(current_actor())
    return _categories()


@blp.route("/course-categories", methods=["POST"])
@blp.arguments(CategoryInputSchema)
@blp.response(201, AdminCategorySchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def create_category(body: dict[str, Any]) -> dict[str, Any]:
    return admin_category_view(admin.create_category(current_actor(), name=body["name"],
                                                     parent_id=body.get("parent_id"), subject=body.get("subject")))


@blp.route("/course-categories/<int:category_id>", methods=["PATCH"])
@blp.arguments(CategoryUpdateSchema)
@blp.response(200, AdminCategorySchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema, description="``course_studied``: a move to another subject "
                                                        "while courses under it have been studied")
def update_category(body: dict[str, Any], category_id: int) -> dict[str, Any]:
    """Rename, nest under another parent (``parent_id``), disable or enable (``active``)."""
    return admin_category_view(admin.update_category(current_actor(), category_id, body))


@blp.route("/courses", methods=["GET"])
@blp.response(200, AdminCourseListSchema)
@blp.alt_response(403, schema=ErrorSchema)
def list_courses() -> dict[str, Any]:
    """Every course, unpublished ones too (newest first)."""
    admin.require(current_actor())
    items = admin_course_list(admin.all_courses())
    return {"items": items, "total": len(items)}


@blp.route("/courses", methods=["POST"])
@blp.arguments(CourseInputSchema)
@blp.response(201, AdminCourseSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def create_course(body: dict[str, Any]) -> dict[str, Any]:
    """A new course, unpublished until its video or PDF is uploaded and it is published."""
    return admin_course_view(admin.create_course(current_actor(), body))


@blp.route("/courses/<int:course_id>", methods=["GET"])
@blp.response(200, AdminCourseSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_course(course_id: int) -> dict[str, Any]:
    admin.require(current_actor())
    return admin_course_view(admin.get_course(course_id))


@blp.route("/courses/<int:course_id>", methods=["PATCH"])
@blp.arguments(CourseUpdateSchema)
@blp.response(200, AdminCourseSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema, description="``course_studied``: hours, subject or minimum time "
                                                        "of a course learners started or finished")
def update_course(body: dict[str, Any], course_id: int) -> dict[str, Any]:
    return admin_course_view(admin.update_course(current_actor(), course_id, body))


@blp.route("/courses/<int:course_id>/publish", methods=["POST"])
@blp.arguments(PublishSchema)
@blp.response(200, AdminCourseSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema, description="``no_media``: nothing to study yet")
def publish(body: dict[str, Any], course_id: int) -> dict[str, Any]:
    """发布 (``active: true``) or 下架 (``active: false``)."""
    return admin_course_view(admin.publish(current_actor(), course_id, body["active"]))


@blp.route("/courses/<int:course_id>/media", methods=["POST"])
@blp.doc(**MEDIA_DOC)
@blp.response(200, AdminCourseSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def upload_media(course_id: int) -> dict[str, Any]:
    """The course's video (mp4, webm) or PDF, checked by content, at most ``COURSES.MAX_MEDIA_BYTES``."""
    admin.require(current_actor())
    media.allow_large_body()
    data, filename, _description = uploaded(media.max_bytes())
    return admin_course_view(admin.upload(current_actor(), course_id, data, filename))


@blp.route("/courses/<int:course_id>/media", methods=["GET"])
@blp.doc(**MEDIA_OUT_DOC)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def read_media(course_id: int) -> Response:
    admin.require(current_actor())
    return media_response(admin.get_course(course_id))


@blp.route("/course-events", methods=["GET"])
@blp.response(200, CourseEventListSchema)
@blp.alt_response(403, schema=ErrorSchema)
def list_events() -> dict[str, Any]:
    """What course administrators changed, newest first (the last 100)."""
    admin.require(current_actor())
    items = admin.events()
    return {"items": items, "total": len(items)}
