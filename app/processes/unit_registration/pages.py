"""Pages: 用户单位注册 (public), the applicant's registration, and 审核用人单位 for the parent authority
(the decision itself is the shared task page's, one by one or in batch from the inbox)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from ...db import savepoint
from ...errors import ServiceError
from ...i18n import _, _l
from ...models import UNIT_TYPES
from ...services import inbox, throttle
from ...web import session as web_session
from ...web.forms import no_control_characters
from ...web.navigation import active
from . import service
from .views import registration_view

blp = Blueprint("unit_registration", __name__, template_folder="templates")
REQUIRED = _l("Required.")
PROCESS = "unit_registration"


class UnitDetailsForm(FlaskForm):
    name = StringField(_l("Unit name"), validators=[DataRequired(REQUIRED), Length(max=60), no_control_characters])
    unit_type = SelectField(_l("Unit type"), validators=[DataRequired(REQUIRED)])
    industry = StringField(_l("Industry"), validators=[DataRequired(REQUIRED), Length(max=40), no_control_characters],
                           description=_l("For example 道路运输业, 土木工程建筑业."))
    credit_code = StringField(_l("Unified social credit code"), validators=[DataRequired(REQUIRED), Length(max=18),
                                                                            no_control_characters],
                              description=_l("18 characters, as on the business licence."))
    parent_id = SelectField(_l("Parent authority"), coerce=int, validators=[DataRequired(REQUIRED)])

    def offer(self) -> UnitDetailsForm:
        self.unit_type.choices = [SelectChoice("", _("Choose…"))] + [SelectChoice(t, t) for t in UNIT_TYPES]
        self.parent_id.choices = [SelectChoice(0, _("Choose an authority…"))] + [
            SelectChoice(org.id, "\u3000" * depth + org.name) for org, depth in service.authorities()]
        return self

    def details(self) -> dict[str, Any]:
        return {name: self[name].data for name in UNIT_FIELDS}


UNIT_FIELDS = ("name", "unit_type", "industry", "credit_code", "parent_id")


class RegistrationForm(UnitDetailsForm):
    username = StringField(_l("Administrator's username"), validators=[DataRequired(REQUIRED), Length(max=32),
                                                                        no_control_characters],
                           description=_l("4 to 32 letters, digits, '.', '_' or '-', starting with a letter."))
    admin_name = StringField(_l("Administrator's name"), validators=[DataRequired(REQUIRED), Length(max=30),
                                                                      no_control_characters])
    phone = StringField(_l("Administrator's mobile phone"), validators=[DataRequired(REQUIRED), Length(max=20)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=128)],
                             description=_l("At least 8 characters, with letters and digits."))
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(REQUIRED), EqualTo("password", _l("The two passwords differ."))])


@blp.route("/units/register", methods=["GET", "POST"])
def register() -> Any:
    """用户单位注册: anyone, no login."""
    form = RegistrationForm().offer()
    error = None
    if form.validate_on_submit():
        try:
            with savepoint():
                throttle.registration(request.remote_addr or "")
                registration = service.register({**form.details(), **{name: form[name].data for name in (
                    "username", "admin_name", "phone", "password")}})
        except ServiceError as exc:
            error = exc
        else:
            flash(_("Registered. Your parent authority reviews the unit; log in with the administrator's "
                    "account to follow the registration (no. %(id)s).", id=registration.id), "success")
            return redirect(url_for("account.login", username=form.username.data.strip()))
    status = error.status if error else (422 if form.errors else 200)
    return render_template("unit_registration/register.html", form=form, error=error,
                           field_errors=dict(error.fields or {}) if error else {}), status


@blp.route("/units/registrations/mine")
def mine() -> Any:
    """The registrations the logged-in person filed, with their status (and why one was refused); after
    a refusal, the form to register the unit again (重新注册), filled with the refused details."""
    actor = web_session.actor()
    registrations = service.of_applicant(actor.id)
    again = None
    if service.may_register_again(actor):
        latest = registrations[0] if registrations else None
        again = UnitDetailsForm(data={name: getattr(latest, name) for name in UNIT_FIELDS} if latest else None)
        again.offer()
    return render_template("unit_registration/mine.html", items=[
        registration_view(r, with_log=False) for r in registrations], again=again, error=None, field_errors={})


@blp.route("/units/registrations/again", methods=["POST"])
def register_again() -> Any:
    """重新注册: file the unit again (only after a refusal, nothing waiting)."""
    actor = web_session.actor()
    form = UnitDetailsForm().offer()
    error = None
    if form.validate_on_submit():
        try:
            with savepoint():
                registration = service.register_again(actor, form.details())
        except ServiceError as exc:
            error = exc
        else:
            flash(_("Registered again. Your parent authority reviews the unit (no. %(id)s).", id=registration.id),
                  "success")
            return redirect(url_for("unit_registration.mine"))
    status = error.status if error else 422
    items = [registration_view(r, with_log=False) for r in service.of_applicant(actor.id)]
    return render_template("unit_registration/mine.html", items=items, again=form, error=error,
                           field_errors=dict(error.fields or {}) if error else {}), status


@blp.route("/units/registrations")
def review() -> Any:
    """审核用人单位: registrations waiting for this authority (待审核) and those it decided (已审核)."""
    actor = web_session.actor()
    role, org_id = active(actor)
    if role not in service.REVIEW_ROLES or actor.org_kinds.get(org_id) != "authority":
        abort(403)
    tab = "reviewed" if request.args.get("tab") == "reviewed" else "pending"
    rows, _total = inbox.list_tasks(actor, inbox.InboxFilter(
        process=PROCESS, status="open" if tab == "pending" else "completed", per_page=100, personal=False))
    tasks = {row.record_id: row.id for row in rows}
    items = [registration_view(r, with_log=False) for r in service.for_ids(list(tasks))]
    return render_template("unit_registration/review.html", tab=tab, items=items, tasks=tasks, process=PROCESS)


@blp.route("/units/registrations/<int:registration_id>")
def detail(registration_id: int) -> Any:
    actor = web_session.actor()
    registration = service.get_visible(registration_id, actor)
    rows, _total = inbox.list_tasks(actor, inbox.InboxFilter(process=PROCESS, per_page=100, personal=False))
    task_id = next((row.id for row in rows if row.record_id == registration.id), None)
    return render_template("unit_registration/detail.html", registration=registration_view(registration),
                           task_id=task_id)
