"""The reviewer's task inbox: list, claim, release, complete, batch."""
from __future__ import annotations

from typing import Any

import marshmallow as ma

from ...services import inbox, processes
from ...services.records import DecisionForm
from . import current_actor
from .blueprint import Blueprint
from .errors import ErrorSchema
from .schemas import BatchResultSchema, BatchSchema, DecisionSchema, TaskListSchema, TaskQuerySchema, TaskSchema

URL_PREFIX = "/tasks"
blp = Blueprint("tasks", __name__, description="Task inbox")


def _form(body: dict[str, Any]) -> DecisionForm:
    return DecisionForm(body["decision"], body.get("comment"), body.get("hours"))


@blp.route("", methods=["GET"])
@blp.arguments(TaskQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, TaskListSchema)
def list_tasks(query: dict[str, Any]) -> dict[str, Any]:
    """Open tasks for the caller's (role, organisation) pairs, oldest first."""
    flt = inbox.InboxFilter(**query)
    rows, total = inbox.list_tasks(current_actor(), flt)
    capped = total > inbox.COUNT_CAP
    return {"items": [inbox.task_item(r) for r in rows], "total": min(total, inbox.COUNT_CAP),
            "total_capped": capped,
            "page": flt.page, "per_page": flt.per_page}


@blp.route("/<int:task_id>", methods=["GET"])
@blp.response(200, TaskSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(task_id: int) -> dict[str, Any]:
    return inbox.task_item(inbox.get_task(task_id, current_actor()))


@blp.route("/<int:task_id>/claim", methods=["POST"])
@blp.response(200, TaskSchema)
@blp.alt_response(409, schema=ErrorSchema)
def claim(task_id: int) -> dict[str, Any]:
    """Take a task so that colleagues see it is being handled."""
    return inbox.task_item(processes.claim_task(task_id, current_actor()))


@blp.route("/<int:task_id>/unclaim", methods=["POST"])
@blp.response(200, TaskSchema)
@blp.alt_response(409, schema=ErrorSchema)
def unclaim(task_id: int) -> dict[str, Any]:
    return inbox.task_item(processes.unclaim_task(task_id, current_actor()))


@blp.route("/<int:task_id>/complete", methods=["POST"])
@blp.arguments(DecisionSchema)
@blp.response(200, TaskSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def complete(body: dict[str, Any], task_id: int) -> dict[str, Any]:
    """Approve (with hours where the step sets them), reject or send back."""
    return inbox.task_item(processes.complete_task(task_id, current_actor(), _form(body)))


@blp.route("/batch", methods=["POST"])
@blp.arguments(BatchSchema)
@blp.response(200, BatchResultSchema)
def batch(body: dict[str, Any]) -> dict[str, Any]:
    """Apply one decision to many tasks; each succeeds or fails on its own."""
    results = inbox.complete_batch(body["task_ids"], current_actor(), _form(body))
    succeeded = sum(1 for r in results if r["ok"])
    return {"results": results, "succeeded": succeeded, "failed": len(results) - succeeded}
