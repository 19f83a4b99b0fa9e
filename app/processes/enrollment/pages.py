"""The trainee's enrolment page (报名信息): enrol for a year, or edit and resubmit after a rejection."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ...errors import ServiceError
from ...extensions import db
from ...i18n import _
from ...models import Organisation
from ...web import session as web_session
from ...web.trainee import current_year, trainees_only, year_arg
from . import service
from .forms import EnrollmentForm
from .models import Enrollment
from .views import enrollment_view

blp = Blueprint("enrollment", __name__, template_folder="templates")
blp.before_request(trainees_only)


def _unit_choices() -> list[SelectChoice]:
    units = db.session.scalars(select(Organisation).where(Organisation.kind == "unit", Organisation.is_active)
                               .order_by(Organisation.name))
    return [SelectChoice("", _("Choose your unit…"))] + [SelectChoice(str(u.id), u.name) for u in units]


def _enrollment_form(enrollment: Enrollment | None) -> EnrollmentForm:
    form = EnrollmentForm(obj=enrollment if request.method == "GET" else None)
    form.unit_id.choices = _unit_choices()
    form.translate_choices()
    return form


@blp.route("/enrollment", methods=["GET", "POST"])
def enrollment() -> Any:
    actor = web_session.actor()
    year = year_arg()
    record = service.of_year(actor.id, year)
    form = _enrollment_form(record)
    editable = record is None or service.editable(record, actor)
    error = None
    if request.method == "POST":
        if not editable:
            abort(409)
        if form.validate_on_submit():
            payload = {"unit_id": form.unit_id.data, "identity_type": form.identity_type.data,
                       "political_status": form.political_status.data, "education": form.education.data,
                       "title": form.title.data, "title_date": form.title_date.data,
                       "specialty": form.specialty.data}
            try:
                if record is None:
                    record = service.create(actor, {"year": year, **payload})
                    flash(_("Enrolment approved: you enrolled with the same unit as before.")
                          if record.approved_at else _("Enrolment submitted."), "success")
                else:
                    service.update(record.id, actor, payload)
                    service.submit(record.id, actor)
                    flash(_("Enrolment resubmitted to the unit."), "success")
                return redirect(url_for("enrollment.enrollment", year=year))
            except ServiceError as exc:
                error = exc
    status = error.status if error else (422 if form.errors else 200)
    return render_template(
        "enrollment/enrollment.html", form=form, year=year, editable=editable, error=error,
        field_errors=dict(error.fields or {}) if error else {},
        record=enrollment_view(record) if record else None, user=actor,
        next_year=current_year() + 1), status
