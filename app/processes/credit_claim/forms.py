"""The claim form of the trainee's pages."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...i18n import _l
from ...web.forms import no_control_characters
from .routes import JOURNAL_LABELS, LEVEL_LABELS, ROUTES, SEMINAR_HOURS

REQUIRED = _l("Required.")


def _choices(mapping: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(code, _l(text)) for code, text in mapping.items()]


class ClaimForm(FlaskForm):
    """One field set per route; only the chosen route's fields are read."""

    title = StringField(_l("Title of the materials"), validators=[DataRequired(REQUIRED), Length(max=100),
                                                                  no_control_characters],
                        description=_l("Say the level and the subject, e.g. 【市级】参加某某市交通运输类高研班."))
    route = SelectField(_l("Route"), choices=[SelectChoice(code, _l(r.label)) for code, r in ROUTES.items()])
    hours_requested = DecimalField(_l("Hours requested"), places=1, validators=[
        Optional(), NumberRange(min=0.1, message=_l("More than 0."))],
        description=_l("Your own assessment under the rules (left empty: the hours the rules suggest); "
                       "the reviewers set the hours finally recognised."))
    # Route fields: only the chosen route's are sent; the claim service checks their values.
    # exam
    subjects_passed = IntegerField(_l("Subjects passed"), validators=[Optional(), NumberRange(1, 20)])
    # seminar
    seminar_level = SelectField(_l("Seminar level"), choices=_choices({k: LEVEL_LABELS[k] for k in SEMINAR_HOURS}),
                                validate_choice=False)
    stated_hours = DecimalField(_l("Hours stated by the seminar (if any)"), places=1,
                                validators=[Optional(), NumberRange(min=0.1, max=200)])
    # training
    days = IntegerField(_l("Days"), validators=[Optional(), NumberRange(1, 366)])
    # research
    research_level = SelectField(_l("Level of the item"), choices=_choices(LEVEL_LABELS), validate_choice=False)
    research_rank = IntegerField(_l("Your rank among the contributors"), validators=[Optional(), NumberRange(1, 1000)])
    # paper
    journal = SelectField(_l("Where it was published"), choices=_choices(JOURNAL_LABELS), validate_choice=False)
    paper_rank = IntegerField(_l("Your rank among the authors"), validators=[Optional(), NumberRange(1, 1000)])
    count = IntegerField(_l("Papers (or 10,000 words of a book)"), validators=[Optional(), NumberRange(1, 100)])
    # degree course
    courses_passed = IntegerField(_l("Courses passed"), validators=[Optional(), NumberRange(1, 60)])

    def details(self) -> dict[str, Any]:
        """The route's details as the claim service expects them."""
        route = self.route.data
        if route == "exam":
            return _present({"subjects_passed": self.subjects_passed.data})
        if route == "seminar":
            stated = self.stated_hours.data
            return _present({"level": self.seminar_level.data,
                             "stated_hours": float(stated) if stated is not None else None})
        if route == "training":
            return _present({"days": self.days.data})
        if route == "research":
            return _present({"level": self.research_level.data, "rank": self.research_rank.data})
        if route == "paper":
            return _present({"journal": self.journal.data, "rank": self.paper_rank.data,
                             "count": self.count.data})
        return _present({"courses_passed": self.courses_passed.data})

    def load(self, route: str, details: dict[str, Any]) -> None:
        """Fill the route fields from a stored claim."""
        names = {"exam": {"subjects_passed": "subjects_passed"},
                 "seminar": {"level": "seminar_level", "stated_hours": "stated_hours"},
                 "training": {"days": "days"},
                 "research": {"level": "research_level", "rank": "research_rank"},
                 "paper": {"journal": "journal", "rank": "paper_rank", "count": "count"},
                 "degree_course": {"courses_passed": "courses_passed"}}[route]
        for key, field_name in names.items():
            if key in details:
                getattr(self, field_name).data = details[key]

    def field_for(self, detail_key: str) -> str:
        """Which form field shows the problem the service reported for ``details.<key>``."""
        route = self.route.data
        return {("seminar", "level"): "seminar_level", ("research", "level"): "research_level",
                ("research", "rank"): "research_rank", ("paper", "rank"): "paper_rank"}.get(
            (route, detail_key), detail_key)


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
