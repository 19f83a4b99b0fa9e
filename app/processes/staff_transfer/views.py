"""What the API and the pages show of a staff transfer."""
from __future__ import annotations

from typing import Any

from ...i18n import label
from ...services import attachments, plugins, presenters
from .models import StaffTransfer
from .service import RECORD_TYPE


def _org(org: Any) -> dict[str, Any]:
    return {"id": org.id, "name": org.name}


def transfer_view(transfer: StaffTransfer, *, with_log: bool = True) -> dict[str, Any]:
    decision, comment = presenters.last_decision(transfer.instance_id)
    view = {
        "id": transfer.id, "person": presenters.person(transfer.person),
        "from_unit": _org(transfer.from_unit), "to_unit": _org(transfer.to_unit),
        "reason": transfer.reason, "contact_name": transfer.contact_name, "contact_phone": transfer.contact_phone,
        "status": transfer.status, "status_label": label(transfer.status_label),
        "refusal_reason": comment if decision == "refuse" else None,
        "instance_id": transfer.instance_id, "created_at": transfer.created_at, "moved_at": transfer.moved_at,
    }
    if with_log:
        view["files"] = attachments.views_of(RECORD_TYPE, transfer.id)
        view["waiting"] = presenters.waiting_steps(transfer.instance_id)
        view["log"], view["log_more"] = presenters.bounded_log(transfer.instance_id, plugins.for_type(RECORD_TYPE))
    return view
