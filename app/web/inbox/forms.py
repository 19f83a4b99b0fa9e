"""Forms of the inbox pages: the list's filters, the batch decision and one task's decision."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...i18n import _, _l, label
from ...services.inbox import SORTS
from ..forms import no_control_characters

STATUSES = {
    "open": _l("Waiting (all)"), "unclaimed": _l("Not taken yet"), "claimed": _l("Taken"),
    "mine": _l("Taken by me"), "completed": _l("Handled"),
}
SORT_LABELS = {"oldest": _l("Oldest first"), "newest": _l("Newest first"), "due": _l("Due soonest")}
COMMENT_MAX = 500  # as the API (DecisionSchema)


class FilterForm(FlaskForm):
    """The inbox's GET filters; read from the query string, no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    # "process" is a method of forms: the attribute is process_, the query parameter "process".
    process_ = SelectField(_l("Process"), name="process", choices=[], default="")
    status = SelectField(_l("Task status"), choices=[SelectChoice(k, v) for k, v in STATUSES.items()],
                         default="open")
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(2000, 2100)])
    q = StringField(_l("Applicant: name or ID number"), validators=[Optional(), Length(max=40),
                                                                   no_control_characters])
    sort = SelectField(_l("Order"), choices=[SelectChoice(k, SORT_LABELS[k]) for k in SORTS], default="oldest")

    def __init__(self, formdata: Any, processes: dict[str, str], **kwargs: Any):
        super().__init__(formdata, **kwargs)
        self.process_.choices = [SelectChoice("", _l("All processes"))] + [
            SelectChoice(k, label(v)) for k, v in processes.items()]

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

    decision = StringField(_l("Decision"), validators=[DataRequired(_l("Choose a decision.")), Length(max=20)])
    comment = TextAreaField(_l("Review comment"), validators=[Optional(), Length(max=COMMENT_MAX),
                                                              no_control_characters],
                            description=_l("Given to every selected task; required for some decisions "
                                           "(rejecting, sending back)."))


class DecisionForm(FlaskForm):
    """A reviewer's decision on one task; the choices are the step's own."""

    decision = RadioField(_l("Decision"), choices=[], validators=[DataRequired(_l("Choose a decision."))])
    comment = TextAreaField(_l("Review comment"), validators=[Optional(), Length(max=COMMENT_MAX),
                                                              no_control_characters])

    def for_step(self, choices: list[tuple[str, str]], comment_required: list[str]) -> DecisionForm:
        self.decision.choices = [SelectChoice(value, text) for value, text in choices]
        if len(choices) == 1 and not self.decision.data:
            self.decision.data = choices[0][0]
        if comment_required:
            self.comment.description = _("Required for: %(decisions)s.", decisions=_(", ").join(comment_required))
        return self
