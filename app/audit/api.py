"""The audit tools through the API: search every event (keyset pages), export the result (streamed
CSV and .xlsx), verify the hash chains (auditors) and read the last verification."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response
from marshmallow import fields

from ..api.v1.blueprint import Blueprint
from ..api.v1.context import current_actor
from ..api.v1.errors import ErrorSchema
from ..errors import NotFound
from ..i18n import _
from ..validation import StrictSchema
from . import export, integrity, search
from .access import require_reader, require_verifier
from .present import Describer

blp = Blueprint("audit", __name__, api_prefix="/audit",
                description="Audit: every event searched, exported and verified (auditors; process "
                            "administrators search and export)")


def _download_doc(media_type: str, what: str) -> dict[str, Any]:
    return {"responses": {"200": {"description": f"{what}, streamed; columns as the page's export",
                                  "content": {media_type: {"schema": {"type": "string", "format": "binary"}}}}}}


class AuditEventSchema(ma.Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    instance_id = fields.Integer(allow_none=True, metadata={"description": "null: an event of no instance"})
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String(required=True)
    actor_org_id = fields.Integer(allow_none=True)
    actor_org_name = fields.String(allow_none=True)
    action = fields.String(required=True)
    action_label = fields.String(required=True)
    process_key = fields.String(allow_none=True)
    process_name = fields.String(required=True)
    record_type = fields.String(allow_none=True)
    record_id = fields.Integer(allow_none=True)
    record_label = fields.String(required=True)
    task_spec = fields.String(allow_none=True)
    task_name = fields.String(required=True)
    decision = fields.String(allow_none=True)
    decision_label = fields.String(required=True)
    comment = fields.String(allow_none=True)
    data = fields.Dict(required=True, metadata={"description": "old and new values under old / new"})
    hash = fields.String(required=True)
    prev_hash = fields.String(allow_none=True)


class AuditEventPageSchema(ma.Schema):
    items = fields.List(fields.Nested(AuditEventSchema), required=True)
    next = fields.String(allow_none=True, required=True, metadata={
        "description": "pass as ``after`` for the next (older) page; null on the last page"})


class VerifySchema(StrictSchema):
    full = fields.Boolean(load_default=False, metadata={
        "description": "true: re-read every event; false: the events after the last clean checkpoint"})


class CheckpointSchema(ma.Schema):
    id = fields.Integer(required=True)
    full = fields.Boolean(required=True)
    base_id = fields.Integer(allow_none=True, metadata={"description": "the checkpoint an incremental run continued"})
    started_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(required=True)
    seconds = fields.Float(required=True)
    by_id = fields.Integer(allow_none=True)
    by_name = fields.String(required=True)
    first_event_id = fields.Integer(allow_none=True)
    last_event_id = fields.Integer(allow_none=True, metadata={"description": "the last verified event"})
    last_event_hash = fields.String(allow_none=True)
    last_event_at = fields.DateTime(allow_none=True)
    events_checked = fields.Integer(required=True)
    chains_checked = fields.Integer(required=True)
    events_total = fields.Integer(required=True, metadata={"description": "events up to the last verified one"})
    problem_count = fields.Integer(required=True)
    problems = fields.List(fields.String(), required=True, metadata={"description": "the first 200"})
    clean = fields.Boolean(required=True)


def _filters(args: dict[str, Any]) -> search.Filters:
    require_reader(current_actor())
    return search.resolve(args)


@blp.route("/events", methods=["GET"])
@blp.arguments(search.PageSchema, location="query", unknown=ma.RAISE)
@blp.response(200, AuditEventPageSchema)
@blp.alt_response(403, schema=ErrorSchema)
def events(args: dict[str, Any]) -> dict[str, Any]:
    """Every event (all instances' and the administrative chain's), newest first, filtered; ``next``
    continues (keyset)."""
    result = search.page(_filters(args), args["limit"], after_token=args.get("after"))
    describer = Describer()
    describer.prepare(result.rows)
    return {"items": [describer.item(row) for row in result.rows], "next": result.next}


def _download(kind: str, media_type: str, what: str) -> None:
    """``GET /events.<kind>``: the search result as a file, newest first, streamed."""

    @blp.route(f"/events.{kind}", methods=["GET"], endpoint=f"events_{kind}")
    @blp.arguments(search.FilterSchema, location="query", unknown=ma.RAISE)
    @blp.doc(summary=f"The search result as {what}", description="Newest first, streamed; no cell is a formula.",
             **_download_doc(media_type, what))
    @blp.alt_response(403, schema=ErrorSchema)
    def download(args: dict[str, Any]) -> Response:
        return export.response(_filters(args), kind)


_download("csv", export.CSV_TYPE, "CSV (UTF-8 with BOM)")
_download("xlsx", export.XLSX_TYPE, "an Excel workbook")


@blp.route("/verify", methods=["POST"])
@blp.arguments(VerifySchema)
@blp.response(200, CheckpointSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema, description="``too_long_for_a_request``: a full run of a log this "
                                                        "large belongs to the command line")
def verify(body: dict[str, Any]) -> dict[str, Any]:
    """Verify the hash chains (auditors): incrementally from the last clean checkpoint, or fully;
    records a checkpoint (and, first, an ``audit_verify`` event)."""
    actor = require_verifier(current_actor())
    return integrity.view(integrity.verify(actor, full=body["full"], online=True))


@blp.route("/verify", methods=["GET"])
@blp.response(200, CheckpointSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema, description="no verification has run yet")
def last_verification() -> dict[str, Any]:
    """The last checkpoint (clean or not)."""
    require_reader(current_actor())
    checkpoint = integrity.last_checkpoint()
    if checkpoint is None:
        raise NotFound(_("No verification has run yet."))
    return integrity.view(checkpoint)
