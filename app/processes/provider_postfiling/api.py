"""Post-training filings through the API (``/post-filings``). The HR department decides through
``/tasks``: ``approve`` (备案通过: hours and e-certificates) or ``rollback`` (with comments)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, request
from marshmallow import fields

from ...api.v1.blueprint import Blueprint
from ...api.v1.context import current_actor
from ...api.v1.errors import ErrorSchema
from ...api.v1.files import DOWNLOAD_DOC, file_response, uploaded
from ...api.v1.schemas import FileSchema, FlowLog, OkSchema, WaitingStepSchema
from ...domain.idnumber import mask
from ...errors import Invalid, NotFound
from ...i18n import _
from ...services import attachments
from ...validation import Id, StrictSchema, Text, Year, between, length, one_of
from ..provider_prefiling.api import FilingOrgSchema
from . import results, service
from .views import postfiling_view

blp = Blueprint("post_filings", __name__, api_prefix="/post-filings",
                description="Post-training filings (培训后备案)")
STATUSES = ("draft", "hr_review", "rolled_back", "filed")


class PostFilingInputSchema(StrictSchema):
    name = Text(validate=length(1, 50), metadata={"description": "培训后备案名称"})
    year = Year(metadata={"description": "备案年度"})
    held_from = fields.Date(metadata={"description": "实际开班时间"})
    held_until = fields.Date(metadata={"description": "实际结业时间"})
    attended = fields.Integer(strict=True, validate=between(0, 100_000), metadata={"description": "实到人数"})
    summary = Text(blank=True, multiline=True, validate=length(high=500), metadata={"description": "培训总结"})


class PostFilingCreateSchema(PostFilingInputSchema):
    class_id = Id(required=True, metadata={"description": "an approved class of the provider"})
    prefiling_id = Id(metadata={"description": "its filed pre-training filing (checked when given)"})


class ListQuerySchema(StrictSchema):
    status = Text(validate=one_of(STATUSES))


class ResultSchema(ma.Schema):
    row = fields.Integer(required=True)
    id_number = fields.String(required=True, metadata={"description": "masked"})
    name = fields.String(required=True)
    score = fields.Float(required=True)
    passed = fields.Boolean(required=True)


class ResultListSchema(ma.Schema):
    items = fields.List(fields.Nested(ResultSchema), required=True)
    total = fields.Integer(required=True)
    passed = fields.Integer(required=True)


class PostFilingFileSchema(FileSchema):
    kind_label = fields.String(required=True)


class PostFilingSchema(ma.Schema):
    id = fields.Integer(required=True)
    class_id = fields.Integer(required=True)
    class_name = fields.String(required=True)
    prefiling_id = fields.Integer(required=True)
    provider = fields.Nested(FilingOrgSchema, required=True)
    hr_department = fields.Nested(FilingOrgSchema, required=True)
    class_starts_on = fields.Date(allow_none=True)
    class_ends_on = fields.Date(allow_none=True)
    file_until = fields.Date(metadata={"description": "the last day to submit (the class's end + 7 days)"})
    total_hours = fields.Float(allow_none=True)
    subject = fields.String()
    name = fields.String()
    year = fields.Integer()
    held_from = fields.Date(allow_none=True)
    held_until = fields.Date(allow_none=True)
    attended = fields.Integer(allow_none=True)
    summary = fields.String()
    results_imported_at = fields.DateTime(allow_none=True)
    has_import_errors = fields.Boolean(metadata={"description": "the last file was refused: its report waits"})
    results = fields.List(fields.Nested(ResultSchema))
    passed = fields.Integer()
    status = fields.String(required=True)
    status_label = fields.String(required=True, metadata={"description": "未提交 / 待人社部门审核 / 已回退 / 备案通过"})
    rollback_comment = fields.String(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    filed_at = fields.DateTime(allow_none=True)
    files = fields.List(fields.Nested(PostFilingFileSchema))
    waiting = fields.List(fields.Nested(WaitingStepSchema))
    log = FlowLog()
    log_more = fields.Boolean()


class PostFilingListSchema(ma.Schema):
    items = fields.List(fields.Nested(PostFilingSchema), required=True)
    total = fields.Integer(required=True)


def xlsx_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype=results.XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


XLSX_DOC = {"responses": {"200": {"description": "an Excel workbook", "content": {
    results.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}}


@blp.route("", methods=["POST"])
@blp.arguments(PostFilingCreateSchema)
@blp.response(201, PostFilingSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def create(body: dict[str, Any]) -> dict[str, Any]:
    """新增备案 (step ①): a filing of an approved class, from its last day to 7 days after it."""
    return postfiling_view(service.create(current_actor(), body))


@blp.route("", methods=["GET"])
@blp.arguments(ListQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, PostFilingListSchema)
def list_filings(query: dict[str, Any]) -> dict[str, Any]:
    items = [postfiling_view(f, with_log=False) for f in service.list_for(current_actor(), **query)]
    return {"items": items, "total": len(items)}


@blp.route("/<int:filing_id>", methods=["GET"])
@blp.response(200, PostFilingSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(filing_id: int) -> dict[str, Any]:
    return postfiling_view(service.get_visible(filing_id, current_actor()))


@blp.route("/<int:filing_id>", methods=["PATCH"])
@blp.arguments(PostFilingInputSchema)
@blp.response(200, PostFilingSchema)
@blp.alt_response(409, schema=ErrorSchema)
def update(body: dict[str, Any], filing_id: int) -> dict[str, Any]:
    """Step ②: the completion details (checked in full when submitting)."""
    return postfiling_view(service.update(filing_id, current_actor(), body))


@blp.route("/<int:filing_id>", methods=["DELETE"])
@blp.response(200, OkSchema)
@blp.alt_response(409, schema=ErrorSchema)
def delete(filing_id: int) -> dict[str, Any]:
    service.delete_filing(filing_id, current_actor())
    return {"ok": True}


@blp.route("/<int:filing_id>/results-template.xlsx", methods=["GET"])
@blp.doc(**XLSX_DOC)
@blp.alt_response(404, schema=ErrorSchema)
def results_template(filing_id: int) -> Response:
    """成绩导入模板: 身份证号, 姓名 (the class's approved enrolments), 成绩, 是否合格 (是/否)."""
    return xlsx_response(service.template(filing_id, current_actor()), f"results-template-{filing_id}.xlsx")


@blp.route("/<int:filing_id>/results", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}})
@blp.response(200, ResultListSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(413, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema, description="``bad_file``, or ``bad_rows`` with every wrong row")
def import_results(filing_id: int) -> dict[str, Any]:
    """Step ③: import the results (.xlsx); a file with any wrong row is refused whole (422 ``bad_rows``:
    ``error.rows`` lists row, field and message; ``GET …/results-errors.xlsx`` gives the report)."""
    upload = request.files.get("file")
    if upload is None:
        raise Invalid(_("Choose a file to upload."), code="invalid", fields={"file": [_("Required.")]})
    limit = int(service.settings()["RESULTS_MAX_BYTES"])
    rows = service.import_results(filing_id, current_actor(), upload.stream.read(limit + 1))
    return {"items": [{"row": r.row, "id_number": mask(r.id_number), "name": r.name,
                       "score": float(r.score), "passed": r.passed} for r in rows],
            "total": len(rows), "passed": sum(r.passed for r in rows)}


@blp.route("/<int:filing_id>/results-errors.xlsx", methods=["GET"])
@blp.doc(**XLSX_DOC)
@blp.alt_response(404, schema=ErrorSchema)
def results_errors(filing_id: int) -> Response:
    """导入错误报告 of the last refused file (404 when the last import succeeded)."""
    filing = service.get_visible(filing_id, current_actor())
    if not filing.import_errors:
        raise NotFound(_("No refused file to report on."))
    return xlsx_response(results.error_report(filing.import_errors), f"results-errors-{filing_id}.xlsx")


@blp.route("/<int:filing_id>/submit", methods=["POST"])
@blp.response(200, PostFilingSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def submit(filing_id: int) -> dict[str, Any]:
    """Step ④ 提交: to the HR department (results imported, a training summary attached, within 7 days)."""
    return postfiling_view(service.submit(filing_id, current_actor()))


@blp.route("/<int:filing_id>/files", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "kind"],
    "properties": {"file": {"type": "string", "format": "binary"},
                   "kind": {"type": "string", "enum": list(service.FILE_KINDS)},
                   "description": {"type": "string", "maxLength": 60}}}}}})
@blp.response(201, PostFilingFileSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def upload(filing_id: int) -> Any:
    """Step ④: attach a jpg, png or pdf of at most 2 MB (checked by content), of a named ``kind``."""
    data, filename, description = uploaded(int(service.settings()["MAX_FILE_BYTES"]))
    row = service.add_file(filing_id, current_actor(), data, filename, description,
                           (request.form.get("kind") or "").strip())
    return {**attachments.view(row), "kind_label": service.FILE_KINDS[row.kind]}


@blp.route("/<int:filing_id>/files/<int:file_id>", methods=["GET"])
@blp.doc(**DOWNLOAD_DOC)
@blp.alt_response(404, schema=ErrorSchema)
def download(filing_id: int, file_id: int) -> Response:
    return file_response(*service.read_file(filing_id, file_id, current_actor()))


@blp.route("/<int:filing_id>/files/<int:file_id>", methods=["DELETE"])
@blp.response(200, OkSchema)
@blp.alt_response(409, schema=ErrorSchema)
def remove_file(filing_id: int, file_id: int) -> dict[str, Any]:
    service.remove_file(filing_id, file_id, current_actor())
    return {"ok": True}
