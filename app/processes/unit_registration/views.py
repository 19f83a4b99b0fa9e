"""What the API and the pages show of a unit registration."""
from __future__ import annotations

from typing import Any

from ...i18n import label
from ...services import plugins, presenters
from .models import UnitRegistration
from .service import RECORD_TYPE


def _org(org: Any) -> dict[str, Any] | None:
    return {"id": org.id, "name": org.name} if org is not None else None


def refusal_reason(registration: UnitRegistration) -> str | None:
    """Why it was not approved: the authority's reason, or the name or code taken meanwhile."""
    if registration.conflict:
        return registration.conflict
    if registration.status != "rejected":
        return None
    decision, comment = presenters.last_decision(registration.instance_id)
    return comment if decision == "reject" else None


def registration_view(registration: UnitRegistration, *, with_log: bool = True) -> dict[str, Any]:
    applicant = registration.applicant
    view = {
        "id": registration.id, "name": registration.name, "unit_type": registration.unit_type,
        "industry": registration.industry, "credit_code": registration.credit_code,
        "parent": _org(registration.parent),
        "applicant": {"id": applicant.id, "username": applicant.username, "name": applicant.name,
                      "phone": applicant.phone},
        "status": registration.status, "status_label": label(registration.status_label),
        "refusal_reason": refusal_reason(registration), "org": _org(registration.org),
        "instance_id": registration.instance_id, "created_at": registration.created_at,
        "decided_at": registration.decided_at,
    }
    if with_log:
        view["waiting"] = presenters.waiting_steps(registration.instance_id)
        view["log"], view["log_more"] = presenters.bounded_log(registration.instance_id,
                                                               plugins.for_type(RECORD_TYPE))
    return view
