"""What the API and the pages show of a person info change: the details side by side, old and new."""
from __future__ import annotations

from typing import Any

from ...i18n import label
from ...services import plugins, presenters
from .models import PersonInfoChange
from .service import CHOICES, FIELDS, LABELS, RECORD_TYPE, current_values


def text(field: str, value: Any) -> str:
    """A value as a reader sees it (stored choices translated)."""
    if value is None or value == "":
        return "-"
    return str(label(value)) if field in CHOICES else str(value)


def rows(change: PersonInfoChange, current: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every field: 原值 and 新值; the fields the request changes are marked ``changed``."""
    current = current if current is not None else current_values(change.person_id)
    out = []
    for field in FIELDS:
        item = change.changes.get(field)
        old, new = (item["old"], item["new"]) if item else (current.get(field), current.get(field))
        out.append({"field": field, "label": str(label(LABELS[field])), "changed": item is not None,
                    "old": old, "new": new, "old_text": text(field, old), "new_text": text(field, new)})
    return out


def change_view(change: PersonInfoChange, *, with_log: bool = True) -> dict[str, Any]:
    decision, comment = presenters.last_decision(change.instance_id)
    view = {
        "id": change.id, "person": presenters.person(change.person),
        "unit": {"id": change.unit.id, "name": change.unit.name}, "year": change.year,
        "changes": change.changes, "fields": [f for f in FIELDS if f in change.changes],
        "labels": "、".join(str(label(LABELS[f])) for f in FIELDS if f in change.changes),
        "status": change.status, "status_label": label(change.status_label),
        "reject_reason": comment if decision == "reject" else None,
        "instance_id": change.instance_id, "created_at": change.created_at, "applied_at": change.applied_at,
    }
    if with_log:
        view["rows"] = rows(change)
        view["waiting"] = presenters.waiting_steps(change.instance_id)
        view["log"], view["log_more"] = presenters.bounded_log(change.instance_id, plugins.for_type(RECORD_TYPE))
    return view
