"""The task inbox: list, take, release, complete, batch — for every process alike."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, jsonify

from ...services import inbox, runner
from ...services.runner import DecisionForm
from .blueprint import Blueprint
from .context import current_actor
from .errors import ErrorSchema
from .schemas import (
    BatchResultSchema,
    BatchSchema,
    DecisionSchema,
    TaskListSchema,
    TaskQuerySchema,
    TaskSchema,
    task_json,
)

URL_PREFIX = "/tasks"
blp = Blueprint("tasks", __name__, description="Task inbox")
NOT_INPUTS = frozenset({"decision", "comment", "task_ids"})


def _task(item: dict[str, Any]) -> Response:
    """A task as ``TaskSchema`` writes it, without walking the schema (see ``task_json``)."""
    return jsonify(task_json(item))


def _form(body: dict[str, Any]) -> DecisionForm:
    return DecisionForm(body["decision"], body.get("comment") or None,
                        {key: value for key, value in body.items() if key not in NOT_INPUTS})


@blp.route("", methods=["GET"])
@blp.arguments(TaskQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, TaskListSchema)
def list_tasks(query: dict[str, Any]) -> Response:
    """Tasks for the caller's (role, organisation) pairs and their own steps, oldest first."""
    flt = inbox.InboxFilter(**query)
    rows, total = inbox.list_tasks(current_actor(), flt)
    capped = total > inbox.COUNT_CAP
    # as TaskListSchema writes it (flask-smorest passes a Response through; the schema documents it)
    return jsonify({"items": [task_json(item) for item in inbox.task_items(rows)],
                    "total": min(total, inbox.COUNT_CAP), "total_capped": capped, "page": flt.page,
                    "per_page": flt.per_page})


@blp.route("/<int:task_id>", methods=["GET"])
@blp.response(200, TaskSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(task_id: int) -> Response:
    return _task(inbox.task_item(inbox.get_task(task_id, current_actor())))


@blp.route("/<int:task_id>/take", methods=["POST"])
@blp.response(200, TaskSchema)
@blp.alt_response(409, schema=ErrorSchema)
def take(task_id: int) -> Response:
    """Take a review so that colleagues see it is being handled (only the taker may then decide)."""
    return _task(inbox.task_item(runner.take_task(task_id, current_actor())))


@blp.route("/<int:task_id>/release", methods=["POST"])
@blp.response(200, TaskSchema)
@blp.alt_response(409, schema=ErrorSchema)
def release(task_id: int) -> Response:
    """Give a taken review back to the colleagues."""
    return _task(inbox.task_item(runner.release_task(task_id, current_actor())))


@blp.route("/<int:task_id>/claim", methods=["POST"])
@blp.doc(deprecated=True)
@blp.response(200, TaskSchema)
@blp.alt_response(409, schema=ErrorSchema)
def claim(task_id: int) -> Response:
    """Deprecated: the old name of ``POST /tasks/{task_id}/take``."""
    return take(task_id)


@blp.route("/<int:task_id>/unclaim", methods=["POST"])
@blp.doc(deprecated=True)
@blp.response(200, TaskSchema)
@blp.alt_response(409, schema=ErrorSchema)
def unclaim(task_id: int) -> Response:
    """Deprecated: the old name of ``POST /tasks/{task_id}/release``."""
    return release(task_id)


@blp.route("/<int:task_id>/complete", methods=["POST"])
@blp.arguments(DecisionSchema)
@blp.doc(requestBody={"content": {"application/json": {"schema": {"additionalProperties": {
    "description": "Fields of the step's own form (e.g. `hours` where an authority registers hours); "
                   "unknown fields are refused."}}}}})
@blp.response(200, TaskSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def complete(body: dict[str, Any], task_id: int) -> Response:
    """Decide on a step: one of the decisions its diagram offers, with its form's inputs."""
    return _task(inbox.task_item(runner.complete_task(task_id, current_actor(), _form(body))))


@blp.route("/batch", methods=["POST"])
@blp.arguments(BatchSchema)
@blp.response(200, BatchResultSchema)
def batch(body: dict[str, Any]) -> dict[str, Any]:
    """Apply one decision to many tasks; each succeeds or fails on its own."""
    results = inbox.complete_batch(body["task_ids"], current_actor(), _form(body))
    succeeded = sum(1 for r in results if r["ok"])
    return {"results": results, "succeeded": succeeded, "failed": len(results) - succeeded}
