"""A unit's transfer pages (审核账户 > 人员调转): 人员调入, 人员调出 and 调转记录, and one transfer.

The target unit decides on the shared task page (the 办理 links); these pages file, list,
show and cancel.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import FileField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ...db import savepoint
from ...errors import ServiceError
from ...extensions import db
from ...i18n import _, _l
from ...models import Organisation, ProcessInstance, User
from ...services import inbox, runner
from ...web import session as web_session
from ...web.forms import no_control_characters
from ...web.pages import audit_readable, file_items, file_response, reading_for_audit
from . import service
from .api import PHONE
from .views import transfer_view

blp = Blueprint("staff_transfer", __name__, template_folder="templates")
REQUIRED = _l("Required.")


@blp.before_request
def _unit_staff_only() -> None:
    if not service.my_units(web_session.actor()) and not reading_for_audit():
        abort(403)


def _my_unit() -> int:
    return next(iter(service.my_units(web_session.actor())))


class TransferForm(FlaskForm):
    person_id = SelectField(_l("Person to transfer out"), coerce=int, validate_choice=True,
                            validators=[DataRequired(REQUIRED)])
    to_unit_id = SelectField(_l("Unit the person moves to"), coerce=int, validate_choice=True,
                             validators=[DataRequired(REQUIRED)])
    reason = TextAreaField(_l("Reason for the transfer"), validators=[DataRequired(REQUIRED), Length(max=200),
                                                                        no_control_characters])
    contact_name = StringField(_l("Contact person of this unit"), validators=[DataRequired(REQUIRED), Length(max=30),
                                                                                no_control_characters])
    contact_phone = StringField(_l("Contact telephone of this unit"), validators=[
        DataRequired(REQUIRED), Regexp(PHONE, message=_l("A telephone number: digits and hyphens."))])
    attachment = FileField(_l("Attachment (optional)"), description=_l("jpg, png or pdf, for example the transfer "
                                                                        "letter."))
    attachment_description = StringField(_l("Description of the attachment"),
                                         validators=[Optional(), Length(max=60), no_control_characters])

    def offer(self, unit_id: int) -> TransferForm:
        people = service.staff_of_unit(unit_id)
        self.person_id.choices = [SelectChoice(0, _("Choose a person…"))] + [
            SelectChoice(p.id, f"{p.name}（{p.id_number[:6]}…{p.id_number[-4:]}）") for p in people]
        units = db.session.scalars(select(Organisation).where(Organisation.kind == "unit", Organisation.id != unit_id,
                                                          Organisation.is_active)
                                   .order_by(Organisation.name))
        self.to_unit_id.choices = [SelectChoice(0, _("Choose a unit…"))] + [SelectChoice(u.id, u.name) for u in units]
        return self


def _task_links(actor: Any) -> dict[int, int]:
    """Transfer id -> the open task the actor may decide on (one inbox query)."""
    rows, _total = inbox.list_tasks(actor, inbox.InboxFilter(process="staff_transfer", per_page=100,
                                                             personal=False))
    return {row.record_id: row.id for row in rows}


@blp.route("/transfers/in")
def incoming() -> Any:
    """人员调入: transfers waiting for this unit to confirm."""
    actor = web_session.actor()
    items = [transfer_view(t, with_log=False) for t in service.list_for(actor, "in", service.PENDING)]
    return render_template("staff_transfer/incoming.html", items=items, tasks=_task_links(actor))


@blp.route("/transfers/out", methods=["GET", "POST"])
def outgoing() -> Any:
    """人员调出: file a transfer-out; see this unit's transfers still waiting, and cancel them."""
    actor = web_session.actor()
    unit_id = _my_unit()
    form = TransferForm().offer(unit_id)
    error = None
    if form.validate_on_submit():
        person = db.session.get(User, form.person_id.data)
        payload = {"id_number": person.id_number if person else "", "to_unit_id": form.to_unit_id.data,
                   "reason": form.reason.data.strip(), "contact_name": form.contact_name.data.strip(),
                   "contact_phone": form.contact_phone.data.strip()}
        upload = request.files.get(form.attachment.name)
        try:
            with savepoint():
                transfer = service.file(actor, payload)
                if upload is not None and upload.filename:
                    limit = current_app.config["UPLOADS"]["MAX_FILE_BYTES"]
                    service.add_file(transfer.id, actor, upload.stream.read(limit + 1), upload.filename,
                                     form.attachment_description.data)
        except ServiceError as exc:
            error = exc
        else:
            flash(_("The transfer-out of %(name)s has been sent to %(unit)s.", name=transfer.person.name,
                    unit=transfer.to_unit.name), "success")
            return redirect(url_for("staff_transfer.detail", transfer_id=transfer.id))
    status = error.status if error else (422 if form.errors else 200)
    items = [transfer_view(t, with_log=False) for t in service.list_for(actor, "out", service.PENDING)]
    return render_template("staff_transfer/outgoing.html", form=form, items=items, error=error,
                           field_errors=_field_errors(error)), status


def _field_errors(error: ServiceError | None) -> dict[str, list[str]]:
    names = {"id_number": "person_id", "file": "attachment", "description": "attachment_description"}
    return {names.get(k, k): list(v) for k, v in ((error.fields or {}) if error else {}).items()}


@blp.route("/transfers/records")
def records() -> Any:
    """调转记录: every transfer into and out of this unit."""
    actor = web_session.actor()
    return render_template("staff_transfer/records.html",
                           incoming=[transfer_view(t, with_log=False) for t in service.list_for(actor, "in")],
                           outgoing=[transfer_view(t, with_log=False) for t in service.list_for(actor, "out")])


@blp.route("/transfers/<int:transfer_id>")
@audit_readable
def detail(transfer_id: int) -> Any:
    actor = web_session.actor()
    transfer = service.get_visible(transfer_id, actor)
    view = transfer_view(transfer)
    return render_template("staff_transfer/detail.html", transfer=view, files=file_items(view["files"]),
                           back=bool(service.my_units(actor)),
                           task_id=_task_links(actor).get(transfer.id),
                           can_cancel=actor.staff_of(transfer.from_unit_id, service.STAFF_ROLES)
                           and "cancel" in runner.listening(db.session.get(ProcessInstance, transfer.instance_id)))


@blp.route("/transfers/<int:transfer_id>/cancel", methods=["POST"])
def cancel(transfer_id: int) -> Any:
    try:
        with savepoint():
            service.cancel(transfer_id, web_session.actor(), (request.form.get("reason") or "").strip() or None)
        flash(_("The transfer has been cancelled."), "success")
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(url_for("staff_transfer.detail", transfer_id=transfer_id))


@blp.route("/transfers/<int:transfer_id>/files/<int:file_id>")
@audit_readable
def attachment(transfer_id: int, file_id: int) -> Any:
    return file_response(*service.read_file(transfer_id, file_id, web_session.actor()))

