"""What the API and the pages show of a supplement."""
from __future__ import annotations

from typing import Any

from ...domain import N_
from ...domain.credit_routes import ROUTE_LABELS
from ...extensions import db
from ...i18n import label
from ...models import ProcessInstance
from ...services import attachments, plugins, presenters, runner
from ...services.actors import Actor
from .models import Supplementary, SupplementaryEntry
from .service import RECORD_TYPE, route_remaining

# The unit's answer as the trainee's list (已处理 / 未处理) and detail (同意 / 不同意) show it (seed 002).
HANDLED = {"": N_("未处理"), "agreed": N_("已处理"), "refused": N_("已处理")}
CONSENT = {"": N_("未处理"), "agreed": N_("同意"), "refused": N_("不同意")}


def entry_view(entry: SupplementaryEntry) -> dict[str, Any]:
    return {"id": entry.id, "title": entry.title, "starts_on": entry.starts_on, "ends_on": entry.ends_on,
            "hours": float(entry.hours)}


def supplementary_view(record: Supplementary, *, with_log: bool = True, actor: Actor | None = None) -> dict[str, Any]:
    view = {
        "id": record.id, "year": record.year, "route": record.route,
        "route_label": label(ROUTE_LABELS[record.route]),
        "consent": record.consent, "handled_label": label(HANDLED[record.consent]),
        "consent_label": label(CONSENT[record.consent]),
        "status": record.status, "status_label": label(record.status_label),
        "hours_total": float(record.hours_total),
        "cap_remaining": float(route_remaining(record)),
        "trainee": presenters.person(record.trainee), "unit_name": record.unit.name,
        "instance_id": record.instance_id, "created_at": record.created_at, "submitted_at": record.submitted_at,
        "entries": [entry_view(e) for e in record.entries],
    }
    if with_log:
        view["files"] = attachments.views_of(RECORD_TYPE, record.id)
        view["log"], view["log_more"] = presenters.bounded_log(record.instance_id, plugins.for_type(RECORD_TYPE))
    if actor is not None and record.instance_id is not None:
        view.update(actions(record, actor))
    return view


def actions(record: Supplementary, actor: Actor) -> dict[str, Any]:
    """What the trainee may do now, as the waiting step of the diagram allows."""
    instance = db.session.get(ProcessInstance, record.instance_id)
    mine = record.trainee_id == actor.id
    listening = runner.listening(instance) if mine else frozenset()
    return {"editable": mine and runner.editable_by(instance, actor), "can_cancel": "cancel" in listening}
