"""What the API and the pages show of a class."""
from __future__ import annotations

from typing import Any

from ...i18n import label
from ...services import plugins, presenters
from .models import ProviderClass
from .service import EDITABLE_FIELDS, RECORD_TYPE, SUBJECTS, accepting


def _org(org: Any) -> dict[str, Any] | None:
    return {"id": org.id, "name": org.name} if org is not None else None


def class_view(cls: ProviderClass, *, with_log: bool = True) -> dict[str, Any]:
    filing = cls.prefiling
    view: dict[str, Any] = {name: getattr(cls, name) for name in EDITABLE_FIELDS}
    view.update({
        "id": cls.id, "prefiling_id": cls.prefiling_id, "name": filing.class_name,
        "provider": _org(cls.provider), "hr_department": _org(cls.hr),
        "starts_on": filing.starts_on, "ends_on": filing.ends_on, "venue": filing.venue,
        "total_hours": float(filing.total_hours) if filing.total_hours is not None else None,
        "subject_label": label(SUBJECTS.get(cls.subject, cls.subject)),
        "seats_taken": cls.seats_taken,
        "seats_left": None if cls.seat_limit == 0 else max(cls.seat_limit - cls.seats_taken, 0),
        "accepting": accepting(cls),
        "status": cls.status, "status_label": label(cls.status_label), "instance_id": cls.instance_id,
        "created_at": cls.created_at, "updated_at": cls.updated_at, "submitted_at": cls.submitted_at,
        "approved_at": cls.approved_at, "opened_at": cls.opened_at, "closed_at": cls.closed_at,
        "comment": None,
    })
    view["package"] = [{**c, "hours": float(c["hours"])} for c in cls.package]
    if with_log:
        decision, comment = presenters.last_decision(cls.instance_id)
        view["comment"] = comment if decision in ("rollback", "reject") else None
        view["waiting"] = presenters.waiting_steps(cls.instance_id)
        view["log"], view["log_more"] = presenters.bounded_log(cls.instance_id, plugins.for_type(RECORD_TYPE))
    return view


def public_view(cls: ProviderClass) -> dict[str, Any]:
    """What a trainee sees of an open class (no review log)."""
    view = class_view(cls, with_log=False)
    for private in ("instance_id", "created_at", "updated_at", "submitted_at", "approved_at", "hr_department",
                    "comment"):
        view.pop(private, None)
    return view
