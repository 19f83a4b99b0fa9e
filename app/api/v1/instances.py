"""Process instances and their event logs, for process administrators and auditors."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ...errors import Forbidden, NotFound
from ...extensions import db
from ...i18n import _
from ...models import HumanTask, ProcessEvent, ProcessInstance
from ...services.inbox import task_item
from .blueprint import Blueprint
from .context import current_actor
from .errors import ErrorSchema
from .schemas import EventListSchema, InstanceSchema

URL_PREFIX = "/process-instances"
blp = Blueprint("instances", __name__, description="Process instances (admins and auditors)")


def _instance(instance_id: int) -> ProcessInstance:
    if not current_actor().can_read_all_processes:
        raise Forbidden(_("Only process administrators and auditors may read this."))
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(_("Process instance not found."))
    return instance


@blp.route("/<int:instance_id>", methods=["GET"])
@blp.response(200, InstanceSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get(instance_id: int) -> dict[str, Any]:
    instance = _instance(instance_id)
    open_tasks = db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == "open")).all()
    return {
        "id": instance.id, "process_key": instance.process_key,
        "version": instance.definition.version,
        "record": {"type": instance.record_type, "id": instance.record_id},
        "status": instance.status, "status_label": instance.status_label,
        "completed": instance.completed, "cancelled": instance.cancelled,
        "created_at": instance.created_at, "updated_at": instance.updated_at,
        "ended_at": instance.ended_at, "next_timer_due": instance.next_timer_due,
        "open_tasks": [task_item(t) for t in open_tasks],
    }


@blp.route("/<int:instance_id>/events", methods=["GET"])
@blp.response(200, EventListSchema)
@blp.alt_response(403, schema=ErrorSchema)
def events(instance_id: int) -> dict[str, Any]:
    """Every event of the instance, oldest first, with its hash chain."""
    instance = _instance(instance_id)
    rows = db.session.scalars(select(ProcessEvent).where(ProcessEvent.instance_id == instance.id)
                              .order_by(ProcessEvent.id)).all()
    total = db.session.scalar(select(func.count()).where(ProcessEvent.instance_id == instance.id))
    return {"items": rows, "total": total}
