"""What the API and the pages show of a class enrolment."""
from __future__ import annotations

from typing import Any

from ...domain.idnumber import mask
from ...i18n import label
from ...services import plugins, presenters
from ..class_publication.views import public_view
from .models import ClassEnrollment
from .service import EDITABLE_FIELDS, RECORD_TYPE


def enrollment_view(enrollment: ClassEnrollment, *, with_log: bool = True) -> dict[str, Any]:
    view: dict[str, Any] = {name: getattr(enrollment, name) for name in EDITABLE_FIELDS}
    cls = enrollment.klass
    view.update({
        "id": enrollment.id, "class_id": enrollment.class_id, "class_name": cls.name,
        "provider": {"id": cls.provider.id, "name": cls.provider.name},
        "trainee": {"id": enrollment.trainee_id, "name": enrollment.trainee.name,
                    "id_number": mask(enrollment.trainee.id_number)},
        "holds_seat": enrollment.holds_seat, "status": enrollment.status,
        "status_label": label(enrollment.status_label), "instance_id": enrollment.instance_id,
        "created_at": enrollment.created_at, "updated_at": enrollment.updated_at,
        "submitted_at": enrollment.submitted_at, "approved_at": enrollment.approved_at,
        "closed_at": enrollment.closed_at, "return_comment": None,
    })
    if with_log:
        view["klass"] = public_view(cls)
        decision, comment = presenters.last_decision(enrollment.instance_id)
        view["return_comment"] = comment if decision == "return" else None
        view["waiting"] = presenters.waiting_steps(enrollment.instance_id)
        view["log"], view["log_more"] = presenters.bounded_log(enrollment.instance_id, plugins.for_type(RECORD_TYPE))
    return view
