"""The enrolment form of the trainee's pages."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ...i18n import _l, label
from ...web.forms import no_control_characters
from .service import EDUCATION_LEVELS, IDENTITY_TYPES, POLITICAL_STATUSES, TITLES

REQUIRED = _l("Required.")


def _stored(values: tuple[str, ...], prompt: Any = None) -> list[SelectChoice]:
    """Stored choices (Chinese data); translated for display by ``translate_choices``."""
    first = [SelectChoice("", prompt)] if prompt else []
    return first + [SelectChoice(v, v) for v in values]


def _int_or_none(value: Any) -> int | None:
    return int(value) if str(value or "").isdigit() else None


class EnrollmentForm(FlaskForm):
    unit_id = SelectField(_l("Unit (employer)"), coerce=_int_or_none, validate_choice=False,
                          validators=[DataRequired(REQUIRED)])
    identity_type = RadioField(_l("Identity"), choices=_stored(IDENTITY_TYPES), validators=[DataRequired(REQUIRED)])
    political_status = SelectField(_l("Political status"), validators=[DataRequired(REQUIRED)],
                                   choices=_stored(POLITICAL_STATUSES, _l("Choose…")))
    education = SelectField(_l("Highest education"), validators=[DataRequired(REQUIRED)],
                            choices=_stored(EDUCATION_LEVELS, _l("Choose…")))
    title = RadioField(_l("Professional title"), choices=_stored(TITLES), validators=[DataRequired(REQUIRED)])
    title_date = DateField(_l("Date obtained"), validators=[Optional()])
    specialty = StringField(_l("Current specialty"), validators=[DataRequired(REQUIRED), Length(max=40),
                                                                no_control_characters])

    def translate_choices(self) -> None:
        """Show stored choices in the reader's language (the values stay as stored)."""
        for field in (self.identity_type, self.political_status, self.education, self.title):
            field.choices = [SelectChoice(c.value, label(c.value) if c.value else c.label) for c in field.choices]
