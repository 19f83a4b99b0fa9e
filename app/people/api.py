"""People through the API: the query (专业技术人员信息查询), a person, their learning record, a
password reset, and the staff import (template, upload, a refused file's error report)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, request
from marshmallow import fields

from ..api.v1.blueprint import Blueprint
from ..api.v1.context import current_actor
from ..api.v1.errors import ErrorSchema
from ..errors import Invalid, NotFound
from ..i18n import _
from ..validation import INT32_MAX, StrictSchema, Text, between, length, one_of
from . import access, importing, query, workbook

blp = Blueprint("people", __name__, api_prefix="/people",
                description="People (专业技术人员): query, learning records, password resets, staff import")

XLSX_DOC = {"responses": {"200": {"description": "an Excel workbook", "content": {
    workbook.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}}


def _query_id() -> fields.Integer:
    return fields.Integer(validate=between(1, INT32_MAX))


class PeopleQuerySchema(StrictSchema):
    authority_id = _query_id()
    unit_id = _query_id()
    name = Text(validate=length(1, 30))
    id_number = Text(validate=length(1, 18))
    education = Text(validate=one_of(workbook.EDUCATION_LEVELS))
    title = Text(validate=one_of(workbook.TITLES))
    page = fields.Integer(load_default=1, validate=between(1, 100_000))
    per_page = fields.Integer(load_default=query.PER_PAGE, validate=between(1, query.MAX_PER_PAGE))


class StaffPersonSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    id_number = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    unit_id = fields.Integer(required=True)
    unit_name = fields.String(required=True)
    department = fields.String(allow_none=True)
    education = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    is_active = fields.Boolean(required=True)
    may_reset = fields.Boolean(required=True, metadata={"description": "the caller may reset the password"})


class StaffPersonDetailSchema(StaffPersonSchema):
    must_change_password = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    profile = fields.Dict(metadata={"description": "this year's registration details (报名资料), if any"})


class PeoplePageSchema(ma.Schema):
    items = fields.List(fields.Nested(StaffPersonSchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class StaffYearSchema(ma.Schema):
    year = fields.Integer(required=True)
    total = fields.Decimal(as_string=True, required=True)
    professional = fields.Decimal(as_string=True, required=True)
    public = fields.Decimal(as_string=True, required=True)
    required = fields.Dict(required=True)
    complete = fields.Boolean(required=True)
    sources = fields.List(fields.Dict(), required=True, metadata={"description": "hours per source and subject"})


class StaffLearningRecordSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    years = fields.List(fields.Nested(StaffYearSchema), required=True)


class PasswordResetSchema(ma.Schema):
    temporary_password = fields.String(required=True, metadata={
        "description": "shown once: pass it on; it must be changed at the next login"})


class StaffImportSchema(ma.Schema):
    id = fields.Integer(required=True)
    org_id = fields.Integer(required=True)
    status = fields.String(required=True)
    rows = fields.Integer(required=True)
    imported = fields.Integer(required=True)
    at = fields.DateTime(required=True)


class StaffImportQuerySchema(StrictSchema):
    org_id = _query_id()


@blp.route("", methods=["GET"])
@blp.arguments(PeopleQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, PeoplePageSchema)
@blp.alt_response(403, schema=ErrorSchema)
def list_people(args: dict[str, Any]) -> dict[str, Any]:
    """专业技术人员信息查询: a unit's administrators see their unit; authority staff their subtree."""
    filters = query.Filters(**args)
    items, total = query.search(current_actor(), filters)
    return {"items": items, "total": total, "page": filters.page, "per_page": filters.per_page}


@blp.route("/export", methods=["GET"])
@blp.arguments(PeopleQuerySchema, location="query", unknown=ma.RAISE)
@blp.doc(**XLSX_DOC)
@blp.alt_response(403, schema=ErrorSchema)
def export_people(args: dict[str, Any]) -> Response:
    """导出: the matching people as .xlsx (the first 10,000, name order; no cell is a formula)."""
    return xlsx_response(query.export(current_actor(), query.Filters(**args)), "people.xlsx")


@blp.route("/<int:user_id>", methods=["GET"])
@blp.response(200, StaffPersonDetailSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_person(user_id: int) -> dict[str, Any]:
    return query.person(current_actor(), user_id)


@blp.route("/<int:user_id>/record", methods=["GET"])
@blp.response(200, StaffLearningRecordSchema)
@blp.alt_response(404, schema=ErrorSchema)
def learning_record(user_id: int) -> dict[str, Any]:
    """学习记录: every year's hours (the ledger) by source and subject."""
    return query.learning_record(current_actor(), user_id)


@blp.route("/<int:user_id>/reset-password", methods=["POST"])
@blp.response(200, PasswordResetSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def reset_password(user_id: int) -> dict[str, Any]:
    """重置密码: every session and token of the person ends; the temporary password is in this answer only."""
    return {"temporary_password": query.reset_password(current_actor(), user_id)}


@blp.route("/import/template", methods=["GET"])
@blp.doc(**XLSX_DOC)
@blp.alt_response(403, schema=ErrorSchema)
def import_template() -> Response:
    """批量导入模板 (unit administrators)."""
    access.require_importer(current_actor())
    return xlsx_response(workbook.template(), "staff-import-template.xlsx")


@blp.route("/import", methods=["POST"])
@blp.arguments(StaffImportQuerySchema, location="query", unknown=ma.RAISE)
@blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}})
@blp.response(201, StaffImportSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(413, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema, description="``bad_file``, ``too_large``, or ``bad_rows`` with every "
                   "wrong row (the first API_ROWS); the ``Link`` header (and ``X-Import-Id``) name the error report")
def import_staff(args: dict[str, Any]) -> Any:
    """批量导入: the whole file or nothing (``org_id`` chooses among several units one administers)."""
    actor = current_actor()
    org_id = access.require_import_unit(actor, args.get("org_id"))
    upload = request.files.get("file")
    if upload is None:
        raise Invalid(_("Choose a file to upload."), code="invalid", fields={"file": [_("Required.")]})
    limit = int(importing.settings()["MAX_BYTES"])
    return importing.import_staff(actor, org_id, upload.stream.read(limit + 1))


@blp.route("/import/<int:import_id>/report", methods=["GET"])
@blp.doc(**XLSX_DOC)
@blp.alt_response(404, schema=ErrorSchema)
def import_report(import_id: int) -> Response:
    """导入错误报告 of a refused file (the unit's administrators)."""
    attempt = importing.attempt_of(import_id, access.require_importer(current_actor()))
    if attempt is None or not attempt.errors:
        raise NotFound(_("No refused file to report on."))
    return xlsx_response(workbook.error_report(attempt.errors), f"staff-import-errors-{import_id}.xlsx")


def xlsx_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype=workbook.XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
