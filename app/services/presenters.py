"""Plain-data views of records, shared by the JSON API and the web pages."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..domain.idnumber import mask
from ..domain.routes import ROUTES
from ..extensions import db
from ..i18n import _, current_language, label
from ..models import Claim, Enrollment, ProcessEvent, User
from . import ledger
from .labels import ACTION_LABELS, DECISION_REMARKS

HIDDEN_FROM_FLOW = frozenset({"claim", "unclaim"})


def person(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "id_number": mask(user.id_number)}


class _Texts:
    """The translated words of one log, looked up once per log rather than once per entry.

    A claim page shows up to ``LOG_LIMIT`` entries; resolving the locale and the catalog
    for every label of every entry was most of the cost of a long log.
    """

    def __init__(self) -> None:
        self.joiner = "" if current_language() == "zh" else " "
        self._memo: dict[tuple[str, Any], str] = {}

    def _get(self, kind: str, key: Any, make: Any) -> str:
        text = self._memo.get((kind, key))
        if text is None:
            text = self._memo[(kind, key)] = make()
        return text

    def label(self, value: Any) -> str:
        return self._get("label", value, lambda: label(value))

    def action(self, action: str) -> str:
        return self._get("action", action, lambda: str(ACTION_LABELS.get(action, action)))

    def decision(self, decision: str) -> str:
        return self._get("decision", decision, lambda: str(DECISION_REMARKS[decision]))

    def message(self, msgid: str, **variables: Any) -> str:
        """``_(msgid, **variables)``: the translation is looked up once, then formatted."""
        text = self._get("message", msgid, lambda: _(msgid))
        return text % variables if variables else text


def _remark(event: Any, texts: _Texts) -> str:
    parts = []
    if event.decision in DECISION_REMARKS:
        parts.append(texts.decision(event.decision))
    if event.data.get("hours") and event.decision == "approve":
        parts.append(texts.message("%(hours)s hours recognised.", hours=event.data["hours"]))
    if event.action in ("file_add", "file_remove") and event.data.get("filename"):
        parts.append(event.data["filename"])
    if event.comment:
        parts.append(event.comment)
    if event.action == "auto_approve":
        parts.append(texts.message("Re-enrolment with the same unit: no review needed."))
    return texts.joiner.join(parts) or texts.message("None")


LOG_LIMIT = 50  # a claim shows its latest entries; a claim sent back 300 times has ~1200
# The columns an entry needs, read as plain rows (no ORM objects, hashes or ids).
_LOG_COLUMNS = (ProcessEvent.at, ProcessEvent.actor_name, ProcessEvent.actor_org_name, ProcessEvent.action,
                ProcessEvent.decision, ProcessEvent.comment, ProcessEvent.data)


def flow_log(instance_id: int | None, *, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """The flow log users see (日期, 动作, 备注), newest first as the seeds show it."""
    if instance_id is None:
        return []
    query = (select(*_LOG_COLUMNS).where(ProcessEvent.instance_id == instance_id,
                                         ProcessEvent.action.not_in(HIDDEN_FROM_FLOW))
             .order_by(ProcessEvent.id.desc()).offset(offset))
    events = db.session.execute(query.limit(limit) if limit is not None else query)
    texts = _Texts()
    return [{
        "at": event.at,
        "actor": event.actor_org_name or texts.label(event.actor_name),
        "action": event.action,
        "action_label": texts.action(event.action),
        "remark": _remark(event, texts),
    } for event in events]


def bounded_log(instance_id: int | None) -> tuple[list[dict[str, Any]], bool]:
    """The latest ``LOG_LIMIT`` entries, and whether there are older ones."""
    entries = flow_log(instance_id, limit=LOG_LIMIT + 1)
    return entries[:LOG_LIMIT], len(entries) > LOG_LIMIT


def _hours(value: Any) -> float | None:
    return float(value) if value is not None else None


def claim_view(claim: Claim, *, with_log: bool = True) -> dict[str, Any]:
    view = {
        "id": claim.id, "year": claim.year, "route": claim.route,
        "route_label": label(ROUTES[claim.route].label), "title": claim.title, "details": claim.details,
        "hours_requested": float(claim.hours_requested),
        "hours_suggested": float(claim.hours_suggested),
        "hours_reviewed": _hours(claim.hours_reviewed),
        "hours_registered": _hours(claim.hours_registered),
        "status": claim.status, "status_label": label(claim.status_label),
        "trainee": person(claim.trainee),
        "unit_name": claim.unit.name if claim.unit else None,
        "instance_id": claim.instance_id, "created_at": claim.created_at,
        "submitted_at": claim.submitted_at,
        "cap_remaining": float(ledger.route_remaining(claim.trainee_id, claim.year, claim.route,
                                                      exclude_source_id=claim.id)),
    }
    if with_log:
        view["files"] = [{"id": f.id, "filename": f.filename, "description": f.description,
                          "content_type": f.content_type, "size": f.size, "created_at": f.created_at}
                         for f in claim.files]
        view["log"], view["log_more"] = bounded_log(claim.instance_id)
    return view


def last_review_comment(instance_id: int | None) -> str | None:
    if instance_id is None:
        return None
    return db.session.scalar(select(ProcessEvent.comment).where(
        ProcessEvent.instance_id == instance_id, ProcessEvent.decision == "reject")
        .order_by(ProcessEvent.id.desc()).limit(1))


def enrollment_view(enrollment: Enrollment, *, with_log: bool = True) -> dict[str, Any]:
    view = {
        "id": enrollment.id, "year": enrollment.year, "unit_id": enrollment.unit_id,
        "unit_name": enrollment.unit.name, "identity_type": enrollment.identity_type,
        "political_status": enrollment.political_status, "education": enrollment.education,
        "title": enrollment.title, "title_date": enrollment.title_date,
        "specialty": enrollment.specialty, "status": enrollment.status,
        "status_label": label(enrollment.status_label), "trainee": person(enrollment.trainee),
        "instance_id": enrollment.instance_id, "created_at": enrollment.created_at,
        "review_comment": (last_review_comment(enrollment.instance_id)
                           if enrollment.status == "rejected" else None),
    }
    if with_log:
        view["log"], view["log_more"] = bounded_log(enrollment.instance_id)
    return view
