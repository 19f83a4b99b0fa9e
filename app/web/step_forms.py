"""A step's own inputs (its plug-in's marshmallow schema) as fields of an HTML form.

The page shows each field of the schema with its label (``metadata["label"]``), the record's
default value and a hint; what comes back is handed to the service, which validates it with
the same schema. Numbers, decimals, choices and texts are supported.
"""
from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from ..i18n import label
from ..services.plugins import StepForm


def _kind(field: fields.Field) -> str:
    if isinstance(field, (fields.Decimal, fields.Float)):
        return "decimal"
    if isinstance(field, fields.Integer):
        return "number"
    if any(isinstance(v, validate.OneOf) for v in field.validators):
        return "select"
    return "textarea" if field.metadata.get("multiline") else "text"


def _choices(field: fields.Field) -> list[tuple[str, str]]:
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            return [(str(choice), label(choice)) for choice in validator.choices]
    return []


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) or type(value).__name__ == "Decimal":
        return f"{value:.1f}"
    return str(value)


def fields_of(step: StepForm | None, record: Any, submitted: Any = None,
              errors: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The step's fields to show: what was submitted, else the record's defaults."""
    if step is None:
        return []
    defaults = step.defaults(record)
    hints = step.describe(record)
    shown = []
    for name, field in step.schema().fields.items():
        value = submitted.get(name) if submitted is not None and name in submitted else _text(defaults.get(name))
        shown.append({
            "name": name, "id": f"step-{name}", "kind": _kind(field), "value": value or "",
            "label": label(field.metadata.get("label", name)), "hint": hints.get(name) or "",
            "choices": _choices(field), "required": field.required,
            "errors": list((errors or {}).get(name) or []),
            "decisions": sorted(step.decisions) if step.decisions is not None else None,
        })
    return shown


def submitted_values(step: StepForm | None, form: Any, decision: str) -> dict[str, Any]:
    """The step's inputs from a posted form, for a decision the step takes them for.

    A field left empty is sent empty (the service says what it needs), not dropped: a
    reviewer who clears the prefilled hours has not approved the default.
    """
    if step is None or not step.takes(decision):
        return {}
    return {name: (form.get(name) or "").strip() for name in step.schema().fields if name in form}
