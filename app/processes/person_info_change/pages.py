"""The trainee's 我的资料 page (ask for a change, see and withdraw the waiting one) and the unit's
审核人员信息修改 list and change pages. The unit decides on the shared task page and in the inbox's batch."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ...db import savepoint
from ...errors import ServiceError
from ...extensions import db
from ...i18n import _, _l, label
from ...models import ProcessInstance
from ...services import inbox, runner
from ...web import session as web_session
from ...web.forms import no_control_characters
from ...web.pages import audit_readable, reading_for_audit
from ...web.trainee import trainees_only
from . import service
from .api import STATUSES, my_profile
from .views import change_view

blp = Blueprint("person_info_change", __name__, template_folder="templates")
REQUIRED = _l("Required.")


def _choices(values: tuple[str, ...]) -> list[SelectChoice]:
    return [SelectChoice("", _("Choose…"))] + [SelectChoice(v, label(v)) for v in values]


class DetailsForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=30), no_control_characters])
    phone = StringField(_l("Mobile phone"), validators=[DataRequired(REQUIRED), Length(max=11)])
    identity_type = SelectField(_l("Identity"), validators=[DataRequired(REQUIRED)])
    political_status = SelectField(_l("Political status"), validators=[DataRequired(REQUIRED)])
    education = SelectField(_l("Highest education"), validators=[DataRequired(REQUIRED)])
    title = SelectField(_l("Professional title"), validators=[DataRequired(REQUIRED)])
    title_date = DateField(_l("Date obtained"), validators=[Optional()])
    # Not asked of everyone at enrolment: left empty, it is not part of the change.
    title_series = SelectField(_l("Title series"), validators=[Optional()])
    specialty = StringField(_l("Current specialty"), validators=[DataRequired(REQUIRED), Length(max=40),
                                                                no_control_characters])

    def offer(self, current: dict[str, Any]) -> DetailsForm:
        for name, values in service.CHOICES.items():
            getattr(self, name).choices = _choices(values)
        if request.method == "GET":
            for name in service.FIELDS:
                value = current.get(name)
                getattr(self, name).data = date.fromisoformat(value) if name == "title_date" and value else value
        return self

    def payload(self) -> dict[str, Any]:
        values = {name: getattr(self, name).data for name in service.FIELDS}
        if not values["title_series"]:
            del values["title_series"]
        return values


TRAINEE_PAGES = frozenset({"person_info_change.mine", "person_info_change.withdraw"})


@blp.before_request
def _gate() -> None:
    """The trainee's own pages for trainees; the review pages for the staff of a unit (and, to read
    a change, auditors and process administrators)."""
    if request.endpoint in TRAINEE_PAGES:
        trainees_only()
    elif not service.my_units(web_session.actor()) and not reading_for_audit():
        abort(403)


@blp.route("/my/details", methods=["GET", "POST"])
def mine() -> Any:
    """我的资料: the details as they are, the change waiting (with 撤回), or the form to ask for one."""
    actor = web_session.actor()
    state = my_profile(actor)
    form = DetailsForm().offer(state["values"])
    error = None
    if request.method == "POST":
        if state["pending"] is not None:
            abort(409)
        if form.validate_on_submit():
            try:
                with savepoint():
                    service.request_change(actor, form.payload())
            except ServiceError as exc:
                error = exc
            else:
                flash(_("Your change has been sent to your unit for review."), "success")
                return redirect(url_for("person_info_change.mine"))
    status = error.status if error else (422 if form.errors else 200)
    return render_template("person_info_change/mine.html", state=state, form=form, error=error,
                           field_errors=dict(error.fields or {}) if error else {}), status


@blp.route("/my/details/withdraw", methods=["POST"])
def withdraw() -> Any:
    try:
        with savepoint():
            service.withdraw(web_session.actor())
        flash(_("Your change has been withdrawn."), "success")
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(url_for("person_info_change.mine"))


def _task_links(actor: Any) -> dict[int, int]:
    """Change id -> the open task the actor may decide on (one inbox query)."""
    rows, _total = inbox.list_tasks(actor, inbox.InboxFilter(process="person_info_change", per_page=100,
                                                             personal=False))
    return {row.record_id: row.id for row in rows}


@blp.route("/profile-changes")
def reviews() -> Any:
    """审核人员信息修改: the changes asked by the people of this unit (by name), with links to decide."""
    actor = web_session.actor()
    status = request.args.get("status") or "pending"
    if status not in (*STATUSES, "all"):
        abort(404)
    name = (request.args.get("name") or "").strip()[:30]
    items = [change_view(c, with_log=False)
             for c in service.list_for_units(actor, None if status == "all" else status, name or None)]
    return render_template("person_info_change/reviews.html", items=items, status=status, name=name,
                           tasks=_task_links(actor), statuses=("pending", "approved", "rejected", "withdrawn", "all"))


@blp.route("/profile-changes/<int:change_id>")
@audit_readable
def detail(change_id: int) -> Any:
    """变更明细: one change, old against new."""
    actor = web_session.actor()
    change = service.get_visible(change_id, actor)
    if change.person_id == actor.id:
        return redirect(url_for("person_info_change.mine"))
    view = change_view(change)
    instance = db.session.get(ProcessInstance, change.instance_id)
    return render_template("person_info_change/detail.html", change=view, task_id=_task_links(actor).get(change.id),
                           waiting=bool(instance and runner.listening(instance)))
