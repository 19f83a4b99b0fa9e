"""Pre-training filings through the API (``/filings``). Reviewers decide through ``/tasks``:
the supervisor ``approve`` / ``rollback`` then ``forward`` / ``rollback``; the HR department
``approve`` / ``rollback``."""
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
from ...i18n import _l
from ...services import attachments, pdf
from ...validation import HoursIn, Id, StrictSchema, Text, Year, count, length, one_of, pattern
from . import form_pdf as form_pdf_module
from . import service
from .views import filing_view

blp = Blueprint("filings", __name__, api_prefix="/filings", description="Pre-training filings (培训前备案)")

PHONE = r"^[0-9][0-9\-]{6,19}$"
MOBILE = r"^1[0-9]{10}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_MESSAGE = _l("A telephone number: digits and hyphens.")
LEVELS = ("正高级工程师", "高级工程师", "工程师", "助理工程师", "技术员")
FORMS = ("面授培训", "网络培训", "线上线下结合")
STATUSES = ("draft", "supervisor_review", "awaiting_stamp", "awaiting_forward", "hr_review", "rolled_back",
            "filed")


def _text(high: int, **kwargs: Any) -> Text:
    return Text(blank=True, validate=length(high=high), **kwargs)


class ScopeSchema(StrictSchema):
    series = Text(required=True, validate=length(1, 30), metadata={"description": "系列, e.g. 工程系列"})
    specialty = Text(required=True, validate=length(1, 30), metadata={"description": "专业, e.g. 公路工程"})
    level = Text(required=True, validate=one_of(LEVELS), metadata={"description": "级别"})


class CourseSchema(StrictSchema):
    content = Text(required=True, validate=length(1, 100))
    hours = HoursIn(required=True)


class TeacherSchema(StrictSchema):
    name = Text(required=True, validate=length(1, 50))
    education = Text(required=True, validate=length(1, 30))
    major = Text(required=True, validate=length(1, 50))
    title = Text(required=True, validate=length(1, 50), metadata={"description": "职称(职务)"})
    course = Text(required=True, validate=length(1, 100), metadata={"description": "讲授课程"})


class TextbookSchema(StrictSchema):
    name = Text(required=True, validate=length(1, 100))
    edition = Text(required=True, validate=length(1, 50), metadata={"description": "选用版本"})


def _unique_scope(items: list[dict[str, Any]]) -> None:
    keys = [(i["series"], i["specialty"], i["level"]) for i in items]
    if len(set(keys)) != len(keys):
        raise ma.ValidationError(_l("Each series, specialty and level only once."))


class FilingInputSchema(StrictSchema):
    """The filing's fields (seed 004 §二.1), each within its length; which are required is checked
    when saving (not when saving temporarily)."""

    provider_id = Id(metadata={"description": "only when the caller acts for several providers"})
    year = Year()
    filing_date = fields.Date()
    location = _text(50, metadata={"description": "基地所在地"})
    class_name = _text(50, metadata={"description": "培训班名称"})
    starts_on = fields.Date(metadata={"description": "开班开始时间"})
    ends_on = fields.Date(metadata={"description": "开班结束时间"})
    venue = _text(100, metadata={"description": "开班地点"})
    scope = fields.List(fields.Nested(ScopeSchema), validate=[count(0, 50), _unique_scope],
                        metadata={"description": "培训范围: series × specialty × level"})
    total_hours = HoursIn(allow_none=True, metadata={"description": "总学时"})
    form = Text(blank=True, validate=one_of(("", *FORMS)), metadata={"description": "培训形式"})
    fee = Text(blank=True, multiline=True, validate=length(high=300), metadata={"description": "培训费用及核算依据"})
    courses = fields.List(fields.Nested(CourseSchema), validate=count(0, 50), metadata={"description": "教学课程"})
    teachers = fields.List(fields.Nested(TeacherSchema), validate=count(0, 50), metadata={"description": "师资情况"})
    textbooks = fields.List(fields.Nested(TextbookSchema), validate=count(0, 50), metadata={"description": "培训教材"})
    office_phone = Text(blank=True, validate=[length(high=20), pattern(f"^$|{PHONE}", PHONE_MESSAGE)])
    fax = Text(blank=True, validate=[length(high=20), pattern(f"^$|{PHONE}", PHONE_MESSAGE)])
    email = Text(blank=True, validate=[length(high=50), pattern(f"^$|{EMAIL}", _l("Not a valid e-mail address."))])
    address = _text(100)
    post_code = Text(blank=True, validate=pattern(r"^$|^[0-9]{6}$", _l("A post code: six digits.")))
    head_name = _text(50, metadata={"description": "负责人"})
    head_title = _text(50)
    head_mobile = Text(blank=True, validate=pattern(f"^$|{MOBILE}", _l("An 11-digit mobile number.")))
    contact_name = _text(50, metadata={"description": "联系人"})
    contact_title = _text(50)
    contact_mobile = Text(blank=True, validate=pattern(f"^$|{MOBILE}", _l("An 11-digit mobile number.")))


class SaveQuerySchema(StrictSchema):
    temporary = fields.Boolean(load_default=False, metadata={
        "description": "临时保存: keep an incomplete draft (no required-field checks)"})


class ListQuerySchema(StrictSchema):
    status = Text(validate=one_of(STATUSES))
    year = Year()


class FilingOrgSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class FilingFileSchema(FileSchema):
    kind_label = fields.String(required=True)


class FilingSchema(ma.Schema):
    id = fields.Integer(required=True)
    provider = fields.Nested(FilingOrgSchema, required=True)
    provider_level = fields.String(allow_none=True, metadata={"description": "national | province | prefecture"})
    supervisor = fields.Nested(FilingOrgSchema, required=True)
    hr_department = fields.Nested(FilingOrgSchema, allow_none=True)
    year = fields.Integer(allow_none=True)
    filing_date = fields.Date(allow_none=True)
    location = fields.String()
    class_name = fields.String()
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    venue = fields.String()
    scope = fields.List(fields.Dict())
    total_hours = fields.Float(allow_none=True)
    form = fields.String()
    fee = fields.String()
    courses = fields.List(fields.Dict())
    teachers = fields.List(fields.Dict())
    textbooks = fields.List(fields.Dict())
    office_phone = fields.String()
    fax = fields.String()
    email = fields.String()
    address = fields.String()
    post_code = fields.String()
    head_name = fields.String()
    head_title = fields.String()
    head_mobile = fields.String()
    contact_name = fields.String()
    contact_title = fields.String()
    contact_mobile = fields.String()
    complete = fields.Boolean(required=True, metadata={"description": "false after a temporary save"})
    status = fields.String(required=True)
    status_label = fields.String(required=True, metadata={"description": "未提交 / 待主管单位审核 / … / 备案通过"})
    rollback_comment = fields.String(allow_none=True, metadata={
        "description": "the last rollback's comments (in the detail; null in lists)"})
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    submitted_at = fields.DateTime(allow_none=True)
    filed_at = fields.DateTime(allow_none=True)
    files = fields.List(fields.Nested(FilingFileSchema))
    waiting = fields.List(fields.Nested(WaitingStepSchema))
    log = FlowLog()
    log_more = fields.Boolean()


class FilingListSchema(ma.Schema):
    items = fields.List(fields.Nested(FilingSchema), required=True)
    total = fields.Integer(required=True)


def _json_ready(body: dict[str, Any]) -> dict[str, Any]:
    """Course hours are kept in the record's JSON as text (exact decimals)."""
    if "courses" in body:
        body["courses"] = [{**c, "hours": str(c["hours"])} for c in body["courses"]]
    return body


@blp.route("", methods=["POST"])
@blp.arguments(FilingInputSchema)
@blp.arguments(SaveQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(201, FilingSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def create(body: dict[str, Any], query: dict[str, Any]) -> dict[str, Any]:
    """新增备案: save (every field checked) or, with ``?temporary=true``, save temporarily."""
    return filing_view(service.create(current_actor(), _json_ready(body), temporary=query["temporary"]))


@blp.route("", methods=["GET"])
@blp.arguments(ListQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, FilingListSchema)
def list_filings(query: dict[str, Any]) -> dict[str, Any]:
    """备案进度查询: the caller's provider's filings, or those that reached the caller's review, newest first."""
    items = [filing_view(f, with_log=False) for f in service.list_for(current_actor(), **query)]
    return {"items": items, "total": len(items)}


@blp.route("/<int:filing_id>", methods=["GET"])
@blp.response(200, FilingSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(filing_id: int) -> dict[str, Any]:
    return filing_view(service.get_visible(filing_id, current_actor()))


@blp.route("/<int:filing_id>", methods=["PATCH"])
@blp.arguments(FilingInputSchema)
@blp.arguments(SaveQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, FilingSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def update(body: dict[str, Any], query: dict[str, Any], filing_id: int) -> dict[str, Any]:
    """Change the filing while it is a draft or rolled back (read-only after 提交)."""
    body.pop("provider_id", None)
    return filing_view(service.update(filing_id, current_actor(), _json_ready(body), temporary=query["temporary"]))


@blp.route("/<int:filing_id>", methods=["DELETE"])
@blp.response(200, OkSchema)
@blp.alt_response(409, schema=ErrorSchema)
def delete(filing_id: int) -> dict[str, Any]:
    """Delete a draft never submitted (a BPMN message; 409 once submitted)."""
    service.delete(filing_id, current_actor())
    return {"ok": True}


@blp.route("/<int:filing_id>/submit", methods=["POST"])
@blp.response(200, FilingSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def submit(filing_id: int) -> dict[str, Any]:
    """提交 to the supervisor (at least 15 days before the class starts); after the supervisor's
    approval, the same call sends the stamped filing form."""
    return filing_view(service.submit(filing_id, current_actor()))


@blp.route("/<int:filing_id>/form.pdf", methods=["GET"])
@blp.doc(responses={"200": {"description": "the filing form (开班申报表) as a PDF",
                            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(503, schema=ErrorSchema, description="the server has no Chinese font to print with")
def form_pdf(filing_id: int) -> Response:
    """生成表格: the filing form to print, stamp and upload (once the filing has been submitted)."""
    filing = service.get_visible(filing_id, current_actor())
    return pdf.attachment(form_pdf_module.render(filing), f"filing-{filing.id}.pdf")


@blp.route("/<int:filing_id>/files", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "kind"],
    "properties": {"file": {"type": "string", "format": "binary"},
                   "kind": {"type": "string", "enum": list(service.FILE_KINDS)},
                   "description": {"type": "string", "maxLength": 60}}}}}})
@blp.response(201, FilingFileSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def upload(filing_id: int) -> Any:
    """Attach a jpg, png or pdf of at most 2 MB (checked by content), of a named ``kind``."""
    data, filename, description = uploaded(int(service.settings()["MAX_FILE_BYTES"]))
    kind = (request.form.get("kind") or "").strip()
    row = service.add_file(filing_id, current_actor(), data, filename, description, kind)
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
