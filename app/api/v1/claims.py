"""Credit-hour claims: the trainee's side (create, edit, proofs, submit, withdraw)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, current_app, request

from ...errors import Invalid
from ...i18n import _
from ...services import claim_files, claims, uploads
from ...services.presenters import claim_view, flow_log
from . import current_actor
from .blueprint import Blueprint
from .errors import ErrorSchema
from .schemas import (
    ClaimCreateSchema,
    ClaimListSchema,
    ClaimPatchSchema,
    ClaimSchema,
    FileSchema,
    LogPageSchema,
    LogQuerySchema,
    YearQuerySchema,
)

URL_PREFIX = "/claims"
blp = Blueprint("claims", __name__, description="Credit-hour claims (学时登记)")

UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "description"],
    "properties": {"file": {"type": "string", "format": "binary"},
                   "description": {"type": "string", "maxLength": 33}}}}}}}


@blp.route("", methods=["POST"])
@blp.arguments(ClaimCreateSchema)
@blp.response(201, ClaimSchema)
@blp.alt_response(422, schema=ErrorSchema)
def create(body: dict[str, Any]) -> dict[str, Any]:
    """Create a draft claim; the response carries the suggested hours from the route rules."""
    return claim_view(claims.create(current_actor(), body))


@blp.route("", methods=["GET"])
@blp.arguments(YearQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, ClaimListSchema)
def list_claims(query: dict[str, Any]) -> dict[str, Any]:
    """The caller's own claims, newest first."""
    items = [claim_view(c, with_log=False) for c in claims.list_for(current_actor(), query.get("year"))]
    return {"items": items, "total": len(items)}


@blp.route("/<int:claim_id>", methods=["GET"])
@blp.response(200, ClaimSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(claim_id: int) -> dict[str, Any]:
    return claim_view(claims.get_visible(claim_id, current_actor()))


@blp.route("/<int:claim_id>/log", methods=["GET"])
@blp.arguments(LogQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, LogPageSchema)
@blp.alt_response(404, schema=ErrorSchema)
def log(query: dict[str, Any], claim_id: int) -> dict[str, Any]:
    """The whole flow log of a claim, a page at a time, newest first."""
    claim = claims.get_visible(claim_id, current_actor())
    page, per_page = query["page"], query["per_page"]
    entries = flow_log(claim.instance_id, limit=per_page + 1, offset=(page - 1) * per_page)
    return {"items": entries[:per_page], "page": page, "per_page": per_page, "more": len(entries) > per_page}


@blp.route("/<int:claim_id>", methods=["PATCH"])
@blp.arguments(ClaimPatchSchema)
@blp.response(200, ClaimSchema)
@blp.alt_response(409, schema=ErrorSchema)
def patch(body: dict[str, Any], claim_id: int) -> dict[str, Any]:
    """Edit a draft or returned claim."""
    return claim_view(claims.update(claim_id, current_actor(), body))


@blp.route("/<int:claim_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(409, schema=ErrorSchema)
def delete(claim_id: int) -> None:
    """Delete a draft (未提交) claim."""
    claims.delete(claim_id, current_actor())


@blp.route("/<int:claim_id>/submit", methods=["POST"])
@blp.response(200, ClaimSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def submit(claim_id: int) -> dict[str, Any]:
    """Submit (or resubmit after a send-back) to the unit's review."""
    return claim_view(claims.submit(claim_id, current_actor()))


@blp.route("/<int:claim_id>/withdraw", methods=["POST"])
@blp.response(200, ClaimSchema)
@blp.alt_response(409, schema=ErrorSchema)
def withdraw(claim_id: int) -> dict[str, Any]:
    """Withdraw a submitted claim while the unit has not acted (a BPMN message event)."""
    return claim_view(claims.withdraw(claim_id, current_actor()))


@blp.route("/<int:claim_id>/files", methods=["POST"])
@blp.doc(**UPLOAD_DOC)
@blp.response(201, FileSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def upload(claim_id: int) -> Any:
    """Attach a proof (jpg, png or pdf, checked by content) with a description."""
    upload = request.files.get("file")
    if upload is None:
        raise Invalid(_("Choose a file to upload."), code="invalid", fields={"file": [_("Required.")]})
    limit = current_app.config["UPLOADS"]["MAX_FILE_BYTES"]
    data = upload.stream.read(limit + 1)
    row = claim_files.add_file(claim_id, current_actor(), data, upload.filename,
                               request.form.get("description"))
    return {"id": row.id, "filename": row.filename, "description": row.description,
            "content_type": row.content_type, "size": row.size, "created_at": row.created_at}


@blp.route("/<int:claim_id>/files/<int:file_id>", methods=["GET"])
@blp.doc(responses={"200": {"description": "The proof, with the type its content was checked to be", "content": {
    content_type: {"schema": {"type": "string", "format": "binary"}}
    for content_type in sorted(uploads.CONTENT_TYPES.values())}}})
@blp.alt_response(404, schema=ErrorSchema)
def download(claim_id: int, file_id: int) -> Response:
    """The proof file itself, for whoever may read the claim."""
    row, data = claim_files.read_file(claim_id, file_id, current_actor())
    response = Response(data, mimetype=row.content_type)
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@blp.route("/<int:claim_id>/files/<int:file_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
def remove_file(claim_id: int, file_id: int) -> None:
    """Remove a proof while the claim can still be edited."""
    claim_files.remove_file(claim_id, file_id, current_actor())
