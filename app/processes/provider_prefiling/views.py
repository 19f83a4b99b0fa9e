"""What the API and the pages show of a pre-training filing."""
from __future__ import annotations

from typing import Any

from ...i18n import label
from ...services import attachments, plugins, presenters
from .models import PreFiling
from .service import FILE_KINDS, RECORD_TYPE, REQUIRED


def _org(org: Any) -> dict[str, Any] | None:
    return {"id": org.id, "name": org.name} if org is not None else None


def filing_view(filing: PreFiling, *, with_log: bool = True) -> dict[str, Any]:
    view: dict[str, Any] = {name: getattr(filing, name) for name in REQUIRED}
    view["total_hours"] = float(filing.total_hours) if filing.total_hours is not None else None
    view.update({
        "id": filing.id, "provider": _org(filing.provider), "provider_level": filing.provider.level,
        "supervisor": _org(filing.supervisor), "hr_department": _org(filing.hr),
        "complete": filing.complete, "status": filing.status, "status_label": label(filing.status_label),
        "rollback_comment": None,
        "instance_id": filing.instance_id, "created_at": filing.created_at, "updated_at": filing.updated_at,
        "submitted_at": filing.submitted_at, "filed_at": filing.filed_at,
    })
    if with_log:  # the detail (a list needs neither, and would read them once per row)
        decision, comment = presenters.last_decision(filing.instance_id)
        view["rollback_comment"] = comment if decision == "rollback" else None
        view["files"] = [{**v, "kind_label": FILE_KINDS.get(v["kind"], v["kind"])}
                         for v in attachments.views_of(RECORD_TYPE, filing.id)]
        view["waiting"] = presenters.waiting_steps(filing.instance_id)
        view["log"], view["log_more"] = presenters.bounded_log(filing.instance_id, plugins.for_type(RECORD_TYPE))
    return view
