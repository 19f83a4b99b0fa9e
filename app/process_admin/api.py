"""Process administration through the API (role ``process_admin`` only; anyone else 403):
versions and drafts of diagrams, validation with simulation, diff, publishing, moving running
instances, suspending and resuming them."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from marshmallow import fields

from ..api.v1.blueprint import Blueprint
from ..api.v1.context import current_actor
from ..api.v1.errors import ErrorSchema, service_error_response
from ..converters import INT32_MAX
from ..errors import Forbidden, Invalid
from ..i18n import _
from ..services.actors import Actor
from ..validation import Id, StrictSchema, Text, between, count, length
from . import instances, versions

ROLE = "process_admin"
blp = Blueprint("process_admin", __name__, description="Process administration (流程管理员)")

XML_BODY_DOC = {"requestBody": {"required": True, "content": {t: {"schema": {"type": "string"}}
                                                              for t in ("application/xml", "text/xml")}},
                "parameters": [{"in": "query", "name": "based_on", "required": False,
                                "schema": {"type": "integer", "minimum": 1},
                                "description": "the version or draft this draft starts from"}]}
XML_OUT_DOC = {"responses": {"200": {"description": "The BPMN diagram",
                                     "content": {"application/xml": {"schema": {"type": "string"}}}}}}


def admin() -> Actor:
    actor = current_actor()
    if not actor.holds(ROLE):
        raise Forbidden(_("Only process administrators may do this."))
    return actor


class DefinitionSchema(StrictSchema):
    id = fields.Integer(required=True)
    process_key = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "draft or published"})
    version = fields.Integer(allow_none=True, metadata={"description": "null for a draft"})
    content_hash = fields.String(required=True)
    running = fields.Integer(required=True, metadata={"description": "instances not finished on it"})
    created_at = fields.DateTime(required=True)
    created_by = fields.String(allow_none=True)
    updated_at = fields.DateTime(required=True)
    based_on_id = fields.Integer(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    published_by = fields.String(allow_none=True)


class ProcessVersionsSchema(StrictSchema):
    process_key = fields.String(required=True)
    name = fields.String(required=True)
    plugin = fields.String(allow_none=True)
    versions = fields.List(fields.Nested(DefinitionSchema), required=True)


class ProcessListSchema(StrictSchema):
    items = fields.List(fields.Nested(ProcessVersionsSchema), required=True)


class ReportSchema(StrictSchema):
    ok = fields.Boolean(required=True, metadata={"description": "false: publishing is refused"})
    problems = fields.List(fields.String(), required=True)
    warnings = fields.List(fields.String(), required=True)
    simulation = fields.Dict(allow_none=True, metadata={"description": "every path walked: ends and statuses "
                                                                        "reached, dead ends, endless loops…"})
    marks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class SavedDraftSchema(DefinitionSchema):
    problems = fields.List(fields.String(), required=True)


class DraftRefusedSchema(ErrorSchema):
    problems = fields.List(fields.String(), required=True, metadata={
        "description": "why it was refused, in sentences (as a saved draft's problems): the error's message "
                       "first, then what the parser found"})


class DiffSchema(StrictSchema):
    class Meta:
        unknown = "include"

    added = fields.List(fields.Dict(), required=True)
    removed = fields.List(fields.Dict(), required=True)
    changed = fields.Raw(required=True)
    marks = fields.Dict(required=True)
    affected_instances = fields.List(fields.Dict(), required=True)
    affected_count = fields.Integer(required=True)
    ahead_count = fields.Integer(required=True, metadata={"description": "running instances waiting on an "
                                                                         "unchanged step whose way ahead changed"})


def QueryId(**kwargs: Any) -> fields.Integer:
    """An id in a query string (text, so not strict)."""
    return fields.Integer(validate=between(1, INT32_MAX), **kwargs)


class DiffArgs(StrictSchema):
    from_ = QueryId(required=True, data_key="from")
    to = QueryId(required=True)


class MigrationInSchema(StrictSchema):
    from_ = Id(required=True, data_key="from", metadata={"description": "the published version they are on"})
    to = Id(required=True, metadata={"description": "the published version to move them to"})
    instance_ids = fields.List(Id(), validate=count(1, instances.MAX_BATCH),
                               metadata={"description": "only these (default: every running instance)"})
    dry_run = fields.Boolean(load_default=True)


class MoveResultSchema(StrictSchema):
    instance_id = fields.Integer(required=True)
    ok = fields.Boolean(required=True, metadata={"description": "can move (dry run) / moved"})
    reasons = fields.List(fields.String(), required=True)
    moved = fields.Boolean(required=True)
    changed_steps = fields.List(fields.String(), required=True)


class MigrationOutSchema(StrictSchema):
    from_ = fields.Integer(required=True, data_key="from")
    to = fields.Integer(required=True)
    from_version = fields.Integer(required=True)
    to_version = fields.Integer(required=True)
    dry_run = fields.Boolean(required=True)
    results = fields.List(fields.Nested(MoveResultSchema), required=True)
    movable = fields.Integer(required=True)
    moved = fields.Integer(required=True)
    remaining = fields.Integer(required=True, metadata={"description": "beyond this call's batch; call again"})


class CommentSchema(StrictSchema):
    comment = Text(validate=length(0, 500), allow_none=True)


class InstanceStateSchema(StrictSchema):
    id = fields.Integer(required=True)
    suspended = fields.Boolean(required=True)
    status = fields.String(allow_none=True)
    status_label = fields.String(allow_none=True)
    error = fields.String(allow_none=True)


def _xml_body() -> bytes:
    if request.mimetype not in ("application/xml", "text/xml"):
        raise Invalid(_("Send the diagram as BPMN XML (Content-Type: application/xml)."), code="invalid_diagram")
    return request.get_data(cache=False)


def _based_on() -> int | None:
    raw = request.args.get("based_on")
    if raw is None:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 2**31:
        raise Invalid(_("based_on must be the id of a version."), code="invalid", fields={"based_on": [raw[:20]]})
    return int(raw)


def _saved(row: Any, report: versions.Report) -> dict[str, Any]:
    return {**versions.describe(row), "problems": report.problems}


@blp.route("/process-definitions", methods=["GET"])
@blp.response(200, ProcessListSchema)
@blp.alt_response(403, schema=ErrorSchema)
def listing() -> dict[str, Any]:
    """Every process key with its published versions and drafts (who, when, hash, instances running)."""
    admin()
    return {"items": versions.listing()}


@blp.route("/process-definitions", methods=["POST"])
@blp.doc(**XML_BODY_DOC)
@blp.response(201, SavedDraftSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(422, schema=DraftRefusedSchema)
def create() -> Any:
    """Save a diagram as a new draft (never run). 422 when it is not a diagram of a known process
    (with its ``problems``, as well as ``error.fields.bpmn``); otherwise 201 with the problems
    publishing would refuse (a draft may be unfinished)."""
    actor = admin()
    try:
        row, report = versions.create_draft(_xml_body(), actor, _based_on())
    except Invalid as exc:
        return _refused(exc)
    return _saved(row, report)


def _refused(exc: Invalid) -> Response:
    """The error as every 422 has it, and its ``problems`` next to it."""
    response = service_error_response(exc)
    problems = exc.problems if isinstance(exc, versions.DiagramRefused) else [str(exc.message)]
    response.set_data(current_app.json.dumps({**response.get_json(), "problems": problems}))
    return response


@blp.route("/process-definitions/<int:definition_id>", methods=["GET"])
@blp.response(200, DefinitionSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(definition_id: int) -> dict[str, Any]:
    admin()
    return versions.describe(versions.get(definition_id))


@blp.route("/process-definitions/<int:definition_id>", methods=["PUT"])
@blp.doc(**XML_BODY_DOC)
@blp.response(200, SavedDraftSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def update(definition_id: int) -> dict[str, Any]:
    """Replace a draft's diagram (a published version never changes: 409)."""
    actor = admin()
    row, report = versions.update_draft(definition_id, _xml_body(), actor)
    return _saved(row, report)


@blp.route("/process-definitions/<int:definition_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
def delete(definition_id: int) -> None:
    versions.delete_draft(definition_id, admin())


@blp.route("/process-definitions/<int:definition_id>/bpmn", methods=["GET"])
@blp.doc(**XML_OUT_DOC)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def download(definition_id: int) -> Response:
    admin()
    return bpmn_download(versions.get(definition_id, with_xml=True))


def bpmn_download(row: Any) -> Response:
    suffix = f"v{row.version}" if row.published else f"draft-{row.id}"
    return Response(row.bpmn_xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{row.process_key}-{suffix}.bpmn"'})


@blp.route("/process-definitions/<int:definition_id>/validate", methods=["POST"])
@blp.response(200, ReportSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def validate(definition_id: int) -> dict[str, Any]:
    """Every check, then a walk of every path with each declared decision (loops bounded)."""
    admin()
    row = versions.get(definition_id, with_xml=True)
    return versions.validate(row.bpmn_xml.encode("utf-8")).as_dict()


@blp.route("/process-definitions/<int:definition_id>/publish", methods=["POST"])
@blp.response(201, DefinitionSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def publish(definition_id: int) -> dict[str, Any]:
    """Publish a draft as the next version: new instances start on it; running ones stay on theirs."""
    return versions.describe(versions.publish(definition_id, admin()))


@blp.route("/process-definitions/diff", methods=["GET"])
@blp.arguments(DiffArgs, location="query", as_kwargs=True)
@blp.response(200, DiffSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def diff(from_: int, to: int) -> dict[str, Any]:
    """Steps added, removed and changed (and which properties) from one version or draft to another,
    and the running instances of the first whose waiting steps are removed or changed."""
    admin()
    return versions.diff(from_, to)


@blp.route("/migrations", methods=["POST"])
@blp.arguments(MigrationInSchema, as_kwargs=True)
@blp.response(200, MigrationOutSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def migrate(from_: int, to: int, dry_run: bool, instance_ids: list[int] | None = None) -> dict[str, Any]:
    """Check (``dry_run``, the default) or move running instances to another version: a result per
    instance; each move is its own transaction and audit event, and a refused one changes nothing."""
    return instances.migrate(from_, to, admin(), instance_ids=instance_ids, dry_run=dry_run)


def _state(instance: Any) -> dict[str, Any]:
    return {"id": instance.id, "suspended": instance.suspended, "status": instance.status,
            "status_label": instance.status_label, "error": instance.error}


@blp.route("/process-instances/<int:instance_id>/suspend", methods=["POST"])
@blp.arguments(CommentSchema, required=False, as_kwargs=True)
@blp.response(200, InstanceStateSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
def suspend(instance_id: int, comment: str | None = None) -> dict[str, Any]:
    """Take the instance's tasks out of every inbox; its timers wait (409 if finished or suspended)."""
    return _state(instances.suspend(instance_id, admin(), comment))


@blp.route("/process-instances/<int:instance_id>/resume", methods=["POST"])
@blp.arguments(CommentSchema, required=False, as_kwargs=True)
@blp.response(200, InstanceStateSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
def resume(instance_id: int, comment: str | None = None) -> dict[str, Any]:
    return _state(instances.resume(instance_id, admin(), comment))


@blp.route("/process-instances/<int:instance_id>/retry", methods=["POST"])
@blp.response(200, InstanceStateSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
def retry(instance_id: int) -> dict[str, Any]:
    """Run a stuck instance's engine steps again."""
    return _state(instances.retry(instance_id, admin()))


class StuckSchema(StrictSchema):
    items = fields.List(fields.Dict(), required=True)


@blp.route("/process-instances/stuck", methods=["GET"])
@blp.response(200, StuckSchema)
@blp.alt_response(403, schema=ErrorSchema)
def stuck() -> dict[str, Any]:
    """Running instances with an engine error, or with nothing open, no timer and no message awaited."""
    admin()
    return {"items": instances.stuck()}
