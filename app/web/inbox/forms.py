"""Forms of the inbox pages: the list's filters, the batch decision and one task's decision."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...domain import N_
from ...i18n import _, _l, label
from ...services.labels import DECISION_LABELS
from ..forms import no_control_characters

# The processes a reviewer meets, by key; the values are the diagrams' own (Chinese) names.
PROCESSES = {"credit_claim": N_("学时登记"), "registration": N_("报名审核")}
STATUSES = {
    "open": _l("Waiting (all)"), "unclaimed": _l("Not taken yet"), "claimed": _l("Taken"),
    "mine": _l("Taken by me"), "completed": _l("Handled"),
}
SORTS = {"oldest": _l("Oldest first"), "newest": _l("Newest first")}
COMMENT_MAX = 500  # as the API (DecisionSchema)


def process_label(key: str | None) -> str:
    return label(PROCESSES.get(key or "", key or ""))


class FilterForm(FlaskForm):
    """The inbox's GET filters; read from the query string, no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    # "process" is a method of forms: the attribute is process_, the query parameter "process".
    process_ = SelectField(_l("Process"), name="process", choices=[], default="")
    status = SelectField(_l("Task status"), choices=[SelectChoice(k, v) for k, v in STATUSES.items()],
                         default="open")
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(2000, 2100)])
    q = StringField(_l("Trainee name or ID number"), validators=[Optional(), Length(max=40),
                                                                 no_control_characters])
    sort = SelectField(_l("Order"), choices=[SelectChoice(k, v) for k, v in SORTS.items()], default="oldest")

    def __init__(self, formdata: Any, **kwargs: Any):
        super().__init__(formdata, **kwargs)
        self.process_.choices = [SelectChoice("", _l("All processes"))] + [
            SelectChoice(k, label(v)) for k, v in PROCESSES.items()]

    def values(self) -> dict[str, Any]:
        """The valid filter values (an invalid field counts as not given)."""
        self.validate()
        ok = {field.name: field.data for field in self if not field.errors}
        return {
            "process": ok.get("process") or None,
            "status": ok.get("status") or "open",
            "year": ok.get("year"),
            "q": (ok.get("q") or "").strip(),
            "sort": ok.get("sort") or "oldest",
        }


class BatchForm(FlaskForm):
    """One decision for the checked tasks; the task ids come as repeated ``task_ids`` fields."""

    decision = SelectField(_l("Decision"), choices=[SelectChoice("approve", _l("Approve")),
                                                    SelectChoice("reject", _l("Reject"))],
                           validators=[DataRequired(_l("Choose a decision."))])
    comment = TextAreaField(_l("Review comment"), validators=[Optional(), Length(max=COMMENT_MAX),
                                                              no_control_characters],
                            description=_l("Optional when approving; required when rejecting."))


class DecisionForm(FlaskForm):
    """A reviewer's decision on one task; the choices are the step's own."""

    decision = RadioField(_l("Decision"), choices=[], validators=[DataRequired(_l("Choose a decision."))])
    hours = StringField(_l("Reviewed hours"), validators=[Optional(), Length(max=12)])
    comment = TextAreaField(_l("Review comment"), validators=[Optional(), Length(max=COMMENT_MAX),
                                                              no_control_characters])

    def for_step(self, decisions: tuple[str, ...], comment_required: tuple[str, ...],
                 hours_field: str | None) -> DecisionForm:
        if hours_field == "registered":
            self.hours.label.text = _("Registered hours")
        self.decision.choices = [SelectChoice(d, str(DECISION_LABELS.get(d, d))) for d in decisions]
        if len(decisions) == 1 and not self.decision.data:
            self.decision.data = decisions[0]
        needed = [str(DECISION_LABELS.get(d, d)) for d in decisions if d in comment_required]
        if needed:
            self.comment.description = _("Required for: %(decisions)s.", decisions=_(", ").join(needed))
        return self
