"""What the API and the pages show of a claim."""
from __future__ import annotations

from typing import Any

from ...extensions import db
from ...i18n import _, label
from ...models import ProcessInstance
from ...services import attachments, plugins, presenters, runner
from ...services.actors import Actor
from .models import Claim
from .routes import JOURNAL_LABELS, LEVEL_LABELS, ROUTES
from .service import RECORD_TYPE, route_remaining


def _hours(value: Any) -> float | None:
    return float(value) if value is not None else None


def route_details(details: dict[str, Any]) -> list[str]:
    """The claim's route details as sentences (the form's fields, in words)."""
    lines = []
    if "subjects_passed" in details:
        lines.append(_("Subjects passed: %(n)s", n=details["subjects_passed"]))
    if "level" in details:
        lines.append(_("Level: %(level)s", level=label(LEVEL_LABELS.get(details["level"], details["level"]))))
    if details.get("stated_hours") is not None:
        lines.append(_("Hours stated by the seminar: %(n)s", n=details["stated_hours"]))
    if "days" in details:
        lines.append(_("Days: %(n)s", n=details["days"]))
    if "journal" in details:
        lines.append(_("Journal: %(journal)s",
                       journal=label(JOURNAL_LABELS.get(details["journal"], details["journal"]))))
    if "count" in details:
        lines.append(_("Papers (or 10,000-word units): %(n)s", n=details["count"]))
    if "rank" in details:
        lines.append(_("Author or contributor rank: %(n)s", n=details["rank"]))
    if "courses_passed" in details:
        lines.append(_("Courses passed: %(n)s", n=details["courses_passed"]))
    return lines


def claim_view(claim: Claim, *, with_log: bool = True, actor: Actor | None = None) -> dict[str, Any]:
    view = {
        "id": claim.id, "year": claim.year, "route": claim.route,
        "route_label": label(ROUTES[claim.route].label), "title": claim.title, "details": claim.details,
        "hours_requested": float(claim.hours_requested),
        "hours_suggested": float(claim.hours_suggested),
        "hours_reviewed": _hours(claim.hours_reviewed),
        "hours_registered": _hours(claim.hours_registered),
        "status": claim.status, "status_label": label(claim.status_label),
        "trainee": presenters.person(claim.trainee),
        "unit_name": claim.unit.name if claim.unit else None,
        "instance_id": claim.instance_id, "created_at": claim.created_at,
        "submitted_at": claim.submitted_at,
        "cap_remaining": float(route_remaining(claim.trainee_id, claim.year, claim.route,
                                               exclude_claim_id=claim.id)),
    }
    if with_log:
        plugin = plugins.for_type(RECORD_TYPE)
        view["files"] = attachments.views_of(RECORD_TYPE, claim.id)
        view["log"], view["log_more"] = presenters.bounded_log(claim.instance_id, plugin)
    if actor is not None and claim.instance_id is not None:
        view.update(actions(claim, actor))
    return view


def actions(claim: Claim, actor: Actor) -> dict[str, Any]:
    """What the trainee may do now, as the waiting step of the diagram allows."""
    instance = db.session.get(ProcessInstance, claim.instance_id)
    mine = claim.trainee_id == actor.id
    listening = runner.listening(instance) if mine else frozenset()
    editable = mine and runner.editable_by(instance, actor)
    decision, comment = presenters.last_decision(claim.instance_id) if editable else (None, None)
    return {"editable": editable, "can_withdraw": "withdraw" in listening, "can_delete": "delete" in listening,
            "sent_back": decision == "return", "sent_back_comment": comment if decision == "return" else None}
