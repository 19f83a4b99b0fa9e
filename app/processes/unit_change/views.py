"""What the API and the pages show of a change of an organisation."""
from __future__ import annotations

from typing import Any

from ...domain import N_
from ...i18n import label
from ...services import plugins, presenters
from .models import UnitChange
from .service import RECORD_TYPE

KINDS = {"parent": N_("Change of parent authority"), "info": N_("Change of name or credit code")}


def _org(org: Any) -> dict[str, Any] | None:
    return {"id": org.id, "name": org.name} if org is not None else None


def change_view(change: UnitChange, *, with_log: bool = True) -> dict[str, Any]:
    decision, comment = presenters.last_decision(change.instance_id)
    view = {
        "id": change.id, "kind": change.kind, "kind_label": label(KINDS.get(change.kind, change.kind)),
        "org": _org(change.org), "org_code": change.org.code, "old_parent": _org(change.old_parent),
        "new_parent": _org(change.new_parent), "reason": change.reason,
        "requested_by": {"id": change.requested_by.id, "name": change.requested_by.name,
                         "phone": change.requested_by.phone},
        "status": change.status, "status_label": label(change.status_label),
        "refusal_reason": comment if decision == "reject" else None,
        "instance_id": change.instance_id, "created_at": change.created_at, "applied_at": change.applied_at,
        "old_name": change.old_name, "new_name": change.new_name,
        "old_code": change.old_code, "new_code": change.new_code,
    }
    if with_log:
        view["waiting"] = presenters.waiting_steps(change.instance_id)
        view["log"], view["log_more"] = presenters.bounded_log(change.instance_id, plugins.for_type(RECORD_TYPE))
    return view
