"""What the API and the pages show of an enrolment."""
from __future__ import annotations

from typing import Any

from ...i18n import label
from ...services import plugins, presenters
from .models import Enrollment
from .service import RECORD_TYPE

CHOICE_FIELDS = ("identity_type", "political_status", "education", "title")


def enrollment_view(enrollment: Enrollment, *, with_log: bool = True) -> dict[str, Any]:
    decision, comment = presenters.last_decision(enrollment.instance_id)
    view = {
        "id": enrollment.id, "year": enrollment.year, "unit_id": enrollment.unit_id,
        "unit_name": enrollment.unit.name, "identity_type": enrollment.identity_type,
        "political_status": enrollment.political_status, "education": enrollment.education,
        "title": enrollment.title, "title_date": enrollment.title_date,
        "specialty": enrollment.specialty, "status": enrollment.status,
        "status_label": label(enrollment.status_label), "trainee": presenters.person(enrollment.trainee),
        "instance_id": enrollment.instance_id, "created_at": enrollment.created_at,
        "approved": enrollment.approved_at is not None,
        "review_comment": comment if decision == "reject" and enrollment.approved_at is None else None,
    }
    for key in CHOICE_FIELDS:
        view[key + "_text"] = label(view[key])
    if with_log:
        view["log"], view["log_more"] = presenters.bounded_log(enrollment.instance_id, plugins.for_type(RECORD_TYPE))
    return view
