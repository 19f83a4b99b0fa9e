"""What the API and the pages show of a post-training filing."""
from __future__ import annotations

from typing import Any

from ...domain.idnumber import mask
from ...i18n import label
from ...services import attachments, plugins, presenters
from .models import PostFiling
from .service import EDITABLE_FIELDS, FILE_KINDS, RECORD_TYPE, results_of, window


def postfiling_view(filing: PostFiling, *, with_log: bool = True) -> dict[str, Any]:
    cls = filing.klass
    first, last = window(cls)
    view: dict[str, Any] = {name: getattr(filing, name) for name in EDITABLE_FIELDS}
    view.update({
        "id": filing.id, "class_id": filing.class_id, "class_name": cls.name, "prefiling_id": cls.prefiling_id,
        "provider": {"id": filing.provider.id, "name": filing.provider.name},
        "hr_department": {"id": filing.hr.id, "name": filing.hr.name},
        "class_starts_on": cls.prefiling.starts_on, "class_ends_on": cls.prefiling.ends_on,
        "total_hours": float(cls.prefiling.total_hours) if cls.prefiling.total_hours is not None else None,
        "subject": cls.subject, "file_until": last,
        "results_imported_at": filing.results_imported_at, "has_import_errors": bool(filing.import_errors),
        "status": filing.status, "status_label": label(filing.status_label), "instance_id": filing.instance_id,
        "created_at": filing.created_at, "updated_at": filing.updated_at, "submitted_at": filing.submitted_at,
        "filed_at": filing.filed_at, "rollback_comment": None,
    })
    if with_log:
        rows = results_of(filing.id)
        view["results"] = [{"row": r.row, "id_number": mask(r.id_number), "name": r.name, "score": float(r.score),
                            "passed": r.passed} for r in rows]
        view["passed"] = sum(r.passed for r in rows)
        decision, comment = presenters.last_decision(filing.instance_id)
        view["rollback_comment"] = comment if decision == "rollback" else None
        view["files"] = [{**v, "kind_label": FILE_KINDS.get(v["kind"], v["kind"])}
                         for v in attachments.views_of(RECORD_TYPE, filing.id)]
        view["waiting"] = presenters.waiting_steps(filing.instance_id)
        view["log"], view["log_more"] = presenters.bounded_log(filing.instance_id, plugins.for_type(RECORD_TYPE))
    return view
