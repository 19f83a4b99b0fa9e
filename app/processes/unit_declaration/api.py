"""Unit declarations through the API. The authority decides through ``/tasks`` (``approve`` /
``reject``, one by one or in batch) and verifies through ``/verification`` or ``/tasks`` (``pass`` / ``fail``)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response
from marshmallow import fields

from ...api.v1.blueprint import Blueprint
from ...api.v1.context import current_actor
from ...api.v1.errors import ErrorSchema
from ...api.v1.files import DOWNLOAD_DOC, file_response
from ...api.v1.schemas import FileSchema, FlowLog, Hours, PersonSchema, WaitingStepSchema
from ...models.ledger import CATEGORIES
from ...validation import HoursIn, Id, StrictSchema, Text, Year, count, exact_length, length, one_of
from . import service
from .views import declaration_view

blp = Blueprint("declarations", __name__, api_prefix="/declarations",
                description="Unit-declared hours (单位学时申报) and their verification (学时审验)")
MAX_PROOF_CHARS = 6 * 1024 * 1024  # base64 of a 4 MB image, with room


class ProofSchema(StrictSchema):
    filename = Text(required=True, validate=length(1, 100))
    content = fields.String(required=True, validate=length(1, MAX_PROOF_CHARS),
                            metadata={"description": "the image, base64 (jpg, png, gif or bmp; at most 4 MB)"})
    description = Text(allow_none=True, blank=True, validate=length(high=60))


class DeclarationCreateSchema(StrictSchema):
    id_numbers = fields.List(Text(validate=exact_length(18)), required=True, validate=count(1, service.MAX_PERSONS),
                             metadata={"description": "the staff declared for: one declaration each"})
    unit_id = Id(metadata={"description": "the declaring unit, if the caller acts for several"})
    year = Year(required=True, metadata={"description": "计入年度"})
    learning_form = Text(required=True, validate=one_of(service.LEARNING_FORMS),
                         metadata={"description": "学习形式; it decides which of the fields below are required"})
    school = Text(allow_none=True, validate=length(1, 100), metadata={"description": "学校(单位)名称"})
    class_name = Text(allow_none=True, validate=length(1, 100), metadata={"description": "培训班名称"})
    content = Text(allow_none=True, multiline=True, validate=length(1, 500), metadata={"description": "学习内容"})
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    score = Text(allow_none=True, validate=length(1, 30), metadata={"description": "学习成绩"})
    hours = HoursIn(required=True, metadata={"description": "申请学时"})
    subject = Text(required=True, validate=one_of(CATEGORIES), metadata={"description": "计入科目"})
    proofs = fields.List(fields.Nested(ProofSchema), required=True, validate=count(1, 5))


class DeclarationQuerySchema(StrictSchema):
    tab = Text(validate=one_of(("all", *service.TABS)),
               metadata={"description": "全部 (all) / 待审核 (pending) / 审核通过 (approved) / 审核不通过 (refused)"})


class DeclarationVerificationSchema(StrictSchema):
    result = Text(required=True, validate=one_of(("pass", "fail")))
    reason = Text(allow_none=True, multiline=True, blank=True, validate=length(high=200),
                  metadata={"description": "required when the verification fails"})


class DeclarationOrgSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class DeclarationSchema(ma.Schema):
    id = fields.Integer(required=True)
    person = fields.Nested(PersonSchema, required=True)
    unit = fields.Nested(DeclarationOrgSchema, required=True)
    authority = fields.Nested(DeclarationOrgSchema, required=True)
    year = fields.Integer(required=True)
    learning_form = fields.String(required=True)
    learning_form_label = fields.String(required=True)
    school = fields.String(allow_none=True)
    class_name = fields.String(allow_none=True)
    content = fields.String(allow_none=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    score = fields.String(allow_none=True)
    subject = fields.String(required=True)
    subject_label = fields.String(required=True)
    hours = Hours(required=True, metadata={"description": "申请学时"})
    hours_recognised = Hours(allow_none=True, metadata={"description": "认定学时 (none once revoked)"})
    status = fields.String(required=True, metadata={"description": "pending | refused | approved | verified | revoked"})
    status_label = fields.String(required=True,
                                 metadata={"description": "待审核 / 审核不通过 / 审核通过 / 审验通过 / 审验不通过"})
    current_handler = fields.String(allow_none=True, metadata={"description": "当前处理人"})
    refusal_reason = fields.String(allow_none=True)
    verification_reason = fields.String(allow_none=True, metadata={"description": "why the verification failed"})
    revoked_at = fields.DateTime(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    files = fields.List(fields.Nested(FileSchema), required=True)
    waiting = fields.List(fields.Nested(WaitingStepSchema), required=True)
    log = FlowLog(required=True)
    log_more = fields.Boolean(required=True)


class DeclarationListItemSchema(DeclarationSchema):
    class Meta:
        exclude = ("files", "waiting", "log", "log_more")


class DeclarationListSchema(ma.Schema):
    items = fields.List(fields.Nested(DeclarationListItemSchema), required=True)
    total = fields.Integer(required=True)


class DeclaredSchema(ma.Schema):
    items = fields.List(fields.Nested(DeclarationListItemSchema), required=True)


@blp.url_value_preprocessor
def _proof_body(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """The JSON of a declaration holds its proofs (base64): the body may exceed the app-wide limit.
    The token is checked before the body is read, so nobody unknown sends that much."""
    if endpoint == "declarations.create":
        service.allow_proof_body(encoded=True)


@blp.route("", methods=["POST"])
@blp.arguments(DeclarationCreateSchema)
@blp.response(201, DeclaredSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def create(body: dict[str, Any]) -> dict[str, Any]:
    """提交申报: a unit's reviewer declares hours for one or several of its staff (one declaration each)."""
    proofs = [service.decode_proof(item) for item in body.pop("proofs")]
    made = service.declare(current_actor(), body, proofs)
    return {"items": [declaration_view(d, with_log=False) for d in made]}


@blp.route("", methods=["GET"])
@blp.arguments(DeclarationQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, DeclarationListSchema)
def list_declarations(query: dict[str, Any]) -> dict[str, Any]:
    """查看申报记录: the caller's unit's declarations (an authority: those it reviews; a person: their own)."""
    items = [declaration_view(d, with_log=False) for d in service.list_for(current_actor(), query.get("tab"))]
    return {"items": items, "total": len(items)}


@blp.route("/<int:declaration_id>", methods=["GET"])
@blp.response(200, DeclarationSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(declaration_id: int) -> dict[str, Any]:
    return declaration_view(service.get_visible(declaration_id, current_actor()))


@blp.route("/<int:declaration_id>/verification", methods=["POST"])
@blp.arguments(DeclarationVerificationSchema)
@blp.response(200, DeclarationSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def verification(body: dict[str, Any], declaration_id: int) -> dict[str, Any]:
    """学时审验: the authority passes or fails approved hours; a fail revokes them (a reason is required)."""
    declaration = service.verify(declaration_id, current_actor(), body["result"], body.get("reason"))
    return declaration_view(declaration)


@blp.route("/<int:declaration_id>/files/<int:file_id>", methods=["GET"])
@blp.doc(**DOWNLOAD_DOC)
@blp.alt_response(404, schema=ErrorSchema)
def download(declaration_id: int, file_id: int) -> Response:
    return file_response(*service.read_file(declaration_id, file_id, current_actor()))
