"""The trainee's 学时增补 page: their supplements (已处理 / 未处理), the request form limited to the routes
they may supplement, and one supplement with its entries, proofs and the 个人保存 / 个人上报 / 撤销增补 buttons."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ...clock import today
from ...db import savepoint
from ...domain.credit_routes import ROUTE_LABELS
from ...errors import Invalid, ServiceError
from ...i18n import _, _l, label
from ...services import accounts, ledger
from ...web import session as web_session
from ...web.forms import finite_number, no_control_characters
from ...web.pages import act, audit_readable, file_items, file_response
from ...web.trainee import trainees_only
from . import service
from .views import supplementary_view

blp = Blueprint("supplementary_claim", __name__, template_folder="templates")
blp.before_request(trainees_only)
REQUIRED = _l("Required.")


class RequestForm(FlaskForm):
    route = SelectField(_l("Route"), validate_choice=True, validators=[DataRequired(REQUIRED)])


class EntryForm(FlaskForm):
    title = StringField(_l("What is supplemented"), validators=[DataRequired(REQUIRED), Length(max=100),
                                                                 no_control_characters])
    starts_on = DateField(_l("Start date"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("End date"), validators=[InputRequired(REQUIRED)])
    hours = DecimalField(_l("Hours"), places=1, validators=[InputRequired(REQUIRED), finite_number,
                                                             NumberRange(min=0.1, max=1000)])


def _request_form(actor: Any) -> RequestForm:
    form = RequestForm()
    form.route.choices = [(code, label(ROUTE_LABELS[code]))
                          for code in service.requestable_routes(actor.id, service.last_year())]
    return form


def _home(form: RequestForm, error: ServiceError | None = None, status: int = 200) -> Any:
    actor = web_session.actor()
    unit = accounts.trainee_unit(actor.id)
    opens, closes = service.window(service.last_year(), unit)
    return render_template(
        "supplementary_claim/home.html", form=form, error=error, field_errors=(error.fields or {}) if error else {},
        records=[supplementary_view(r, with_log=False) for r in service.list_for(actor)],
        window_open=opens <= today() <= closes, opens=opens, closes=closes, year=service.last_year(),
        route_cap=ledger.Policy.current().route_cap), (error.status if error else status)


@blp.route("/supplementary", methods=["GET", "POST"])
def home() -> Any:
    actor = web_session.actor()
    form = _request_form(actor)
    if request.method == "GET" or not form.validate_on_submit():
        return _home(form, status=422 if form.errors else 200)
    try:
        with savepoint():
            record = service.request(actor, {"route": form.route.data})
    except ServiceError as exc:
        return _home(form, exc)
    return redirect(url_for("supplementary_claim.detail", record_id=record.id))


def _detail(record_id: int, form: EntryForm | None = None, error: ServiceError | None = None) -> Any:
    actor = web_session.actor()
    # process admins and auditors read it (``audit_readable``); its actions are the trainee's only
    read = service.get_visible if actor.can_read_all_processes else service.get_own
    record = read(record_id, actor)
    view = supplementary_view(record, actor=actor)
    view["files"] = file_items(view["files"])
    return render_template("supplementary_claim/detail.html", record=view, form=form or EntryForm(),
                           error=error, field_errors=(error.fields or {}) if error else {},
                           uploads=current_app.config["UPLOADS"]), (error.status if error else 200)


@blp.route("/supplementary/<int:record_id>")
@audit_readable
def detail(record_id: int) -> Any:
    return _detail(record_id)


@blp.route("/supplementary/<int:record_id>/entries", methods=["POST"])
def add_entry(record_id: int) -> Any:
    """个人保存: an entry is saved on the supplement (its status says 个人保存 until it is reported)."""
    form = EntryForm()
    if not form.validate_on_submit():
        page, _status = _detail(record_id, form)
        return page, 422
    payload = {"title": form.title.data, "starts_on": form.starts_on.data, "ends_on": form.ends_on.data,
               "hours": form.hours.data}
    try:
        with savepoint():
            service.add_entry(record_id, web_session.actor(), payload)
    except ServiceError as exc:
        return _detail(record_id, form, exc)
    flash(_("Saved."), "success")
    return redirect(url_for("supplementary_claim.detail", record_id=record_id))


@blp.route("/supplementary/<int:record_id>/entries/<int:entry_id>/delete", methods=["POST"])
def remove_entry(record_id: int, entry_id: int) -> Response:
    return act(url_for("supplementary_claim.detail", record_id=record_id),
               lambda: service.remove_entry(record_id, entry_id, web_session.actor()), _("The entry has been removed."))


@blp.route("/supplementary/<int:record_id>/submit", methods=["POST"])
def submit(record_id: int) -> Response:
    return act(url_for("supplementary_claim.detail", record_id=record_id),
               lambda: service.submit(record_id, web_session.actor()),
               _("Reported. Your unit reviews the supplement next."))


@blp.route("/supplementary/<int:record_id>/cancel", methods=["POST"])
def cancel(record_id: int) -> Response:
    return act(url_for("supplementary_claim.detail", record_id=record_id),
               lambda: service.cancel(record_id, web_session.actor()), _("The supplement has been withdrawn."))


@blp.route("/supplementary/<int:record_id>/files", methods=["POST"])
def upload(record_id: int) -> Response:
    upload = request.files.get("file")
    limit = current_app.config["UPLOADS"]["MAX_FILE_BYTES"]

    def add() -> None:
        if upload is None or not upload.filename:
            raise Invalid(_("Choose a file to upload."), code="invalid", fields={"file": [_("Required.")]})
        service.add_file(record_id, web_session.actor(), upload.stream.read(limit + 1), upload.filename,
                         request.form.get("description"))
    return act(url_for("supplementary_claim.detail", record_id=record_id), add, _("Uploaded."))


@blp.route("/supplementary/<int:record_id>/files/<int:file_id>")
@audit_readable
def proof(record_id: int, file_id: int) -> Response:
    return file_response(*service.read_file(record_id, file_id, web_session.actor()))


@blp.route("/supplementary/<int:record_id>/files/<int:file_id>/delete", methods=["POST"])
def remove_proof(record_id: int, file_id: int) -> Response:
    return act(url_for("supplementary_claim.detail", record_id=record_id),
               lambda: service.remove_file(record_id, file_id, web_session.actor()), _("The file has been removed."))
