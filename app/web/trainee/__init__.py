"""The trainee's pages: this year's hours and claims, the claim form, the enrolment."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ...domain.routes import ROUTES
from ...errors import ServiceError
from ...extensions import db
from ...i18n import _
from ...models import ClaimWindow, Enrollment, Organisation
from ...services import claims, enrollments, ledger
from ...services.presenters import claim_view, enrollment_view
from .. import session as web_session
from .forms import EnrollmentForm

blp = Blueprint("trainee", __name__)


@blp.before_request
def _trainees_only() -> None:
    if web_session.active_role() != "trainee":
        abort(403)


def current_year() -> int:
    return claims.today().year


def _year_arg() -> int:
    year = request.args.get("year", type=int) or current_year()
    if not 2000 <= year <= current_year() + 1:
        abort(404)
    return year


@blp.route("/me")
def home() -> Any:
    actor = web_session.actor()
    year = _year_arg()
    window = db.session.scalar(select(ClaimWindow).where(ClaimWindow.year == year))
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.trainee_id == actor.id,
                                                            Enrollment.year == year))
    return render_template(
        "trainee/home.html", year=year, hours=ledger.year_summary(actor.id, year),
        claims=[claim_view(c, with_log=False) for c in claims.list_for(actor, year)],
        window=window, window_open=claims.open_window(year) is not None, routes=ROUTES,
        route_cap=ledger.Policy.current().route_cap,
        enrollment=enrollment_view(enrollment, with_log=False) if enrollment else None)


# -- enrolment --------------------------------------------------------------------------

def _unit_choices() -> list[SelectChoice]:
    units = db.session.scalars(select(Organisation).where(Organisation.kind == "unit")
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
    year = _year_arg()
    record = db.session.scalar(select(Enrollment).where(Enrollment.trainee_id == actor.id,
                                                        Enrollment.year == year))
    form = _enrollment_form(record)
    editable = record is None or record.status == "rejected"
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
                    record = enrollments.create(actor, {"year": year, **payload})
                    flash(_("Enrolment submitted.") if record.status != "approved"
                          else _("Enrolment approved: you enrolled with the same unit as before."), "success")
                else:
                    enrollments.update(record.id, actor, payload)
                    enrollments.submit(record.id, actor)
                    flash(_("Enrolment resubmitted to the unit."), "success")
                return redirect(url_for("trainee.enrollment", year=year))
            except ServiceError as exc:
                error = exc
    status = error.status if error else (422 if form.errors else 200)
    return render_template(
        "trainee/enrollment.html", form=form, year=year, editable=editable, error=error,
        field_errors=dict(error.fields or {}) if error else {},
        record=enrollment_view(record) if record else None, user=actor,
        next_year=current_year() + 1), status


from . import claim_pages  # noqa: E402,F401  (registers the claim routes on this blueprint)
