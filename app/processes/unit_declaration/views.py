"""What the API and the pages show of a unit declaration."""
from __future__ import annotations

from typing import Any

from ...i18n import _, label
from ...models.ledger import CATEGORY_LABELS
from ...services import attachments, plugins, presenters
from .models import Declaration
from .service import LEARNING_FORMS, RECORD_TYPE

WAITING = ("pending", "approved")  # the authority acts next (审批, then 审验)


def _org(org: Any) -> dict[str, Any]:
    return {"id": org.id, "name": org.name}


def declaration_view(declaration: Declaration, *, with_log: bool = True) -> dict[str, Any]:
    form = declaration.learning_form
    view: dict[str, Any] = {
        "id": declaration.id, "person": presenters.person(declaration.person),
        "unit": _org(declaration.unit), "authority": _org(declaration.authority),
        "year": declaration.year, "learning_form": form,
        "learning_form_label": _(LEARNING_FORMS[form][0]) if form in LEARNING_FORMS else form,
        "school": declaration.school, "class_name": declaration.class_name, "content": declaration.content,
        "starts_on": declaration.starts_on, "ends_on": declaration.ends_on, "score": declaration.score,
        "subject": declaration.subject, "subject_label": _(CATEGORY_LABELS[declaration.subject]),
        "hours": float(declaration.hours),
        "hours_recognised": float(declaration.hours_recognised) if declaration.hours_recognised is not None
        and declaration.revoked_at is None else None,
        "status": declaration.status, "status_label": label(declaration.status_label),
        "current_handler": declaration.authority.name if declaration.status in WAITING else None,
        "refusal_reason": presenters.last_comment(declaration.instance_id, "reject")
        if declaration.status == "refused" else None,
        "verification_reason": presenters.last_comment(declaration.instance_id, "fail")
        if declaration.status == "revoked" else None,
        "revoked_at": declaration.revoked_at, "instance_id": declaration.instance_id,
        "created_at": declaration.created_at,
    }
    if with_log:
        view["files"] = attachments.views_of(RECORD_TYPE, declaration.id)
        view["waiting"] = presenters.waiting_steps(declaration.instance_id)
        view["log"], view["log_more"] = presenters.bounded_log(declaration.instance_id,
                                                               plugins.for_type(RECORD_TYPE))
    return view
