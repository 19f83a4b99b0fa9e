"""An organisation's pages for changes its parents approve: 更换上级部门 (ask, follow, cancel) and, for
authorities, 审核机构信息修改 (待审核 / 已审核). The parents decide on the shared task page."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ...db import savepoint
from ...errors import ServiceError
from ...extensions import db
from ...i18n import _, _l
from ...models import Organisation
from ...services import inbox
from ...web import session as web_session
from ...web.forms import no_control_characters
from ...web.navigation import active
from . import service
from .views import change_view

blp = Blueprint("unit_change", __name__, template_folder="templates")
REQUIRED = _l("Required.")
PROCESS = "unit_parent_change"


class ParentChangeForm(FlaskForm):
    new_parent_id = SelectField(_l("New parent authority"), coerce=int, validate_choice=True,
                                validators=[DataRequired(REQUIRED)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=200), no_control_characters])


def _acting_org() -> Organisation:
    """The organisation the person acts for (as reviewer or administrator), or 403."""
    role, org_id = active(web_session.actor())
    org = db.session.get(Organisation, org_id) if org_id and role in service.STAFF_ROLES else None
    if org is None:
        abort(403)
    return org


@blp.route("/org/parent-change", methods=["GET", "POST"], endpoint="request")
def request_page() -> Any:
    """更换上级部门: the organisation's parent, the request form, and its changes so far."""
    actor = web_session.actor()
    org = _acting_org()
    if org.kind not in service.CHANGEABLE:
        abort(403)
    form = ParentChangeForm()
    form.new_parent_id.choices = [SelectChoice(0, _("Choose an authority…"))] + [
        SelectChoice(a.id, a.name) for a in service.parent_choices(org)]
    error = None
    if form.validate_on_submit():
        try:
            with savepoint():
                change = service.request_parent_change(org.id, actor, {"new_parent_id": form.new_parent_id.data,
                                                                       "reason": form.reason.data.strip()})
        except ServiceError as exc:
            error = exc
        else:
            flash(_("Your request has been sent to both authorities."), "success")
            return redirect(url_for("unit_change.detail", change_id=change.id))
    changes = [change_view(c, with_log=False) for c in service.of_org(org.id)]
    pending = next((c for c in changes if c["status"] == service.PENDING), None)
    status = error.status if error else (422 if form.errors else 200)
    return render_template("unit_change/request.html", org=org, form=form, error=error, changes=changes,
                           pending=pending, field_errors=dict(error.fields or {}) if error else {}), status


@blp.route("/org/changes")
def review() -> Any:
    """审核机构信息修改: changes waiting for this authority (待审核) and those it decided (已审核)."""
    actor = web_session.actor()
    _acting_org()
    tab = "reviewed" if request.args.get("tab") == "reviewed" else "pending"
    rows, _total = inbox.list_tasks(actor, inbox.InboxFilter(
        process=PROCESS, status="open" if tab == "pending" else "completed", per_page=100, personal=False))
    tasks = {row.record_id: row.id for row in rows}
    items = [change_view(c, with_log=False) for c in service.changes(list(tasks))]
    return render_template("unit_change/review.html", tab=tab, items=items, tasks=tasks)


@blp.route("/org/changes/<int:change_id>")
def detail(change_id: int) -> Any:
    actor = web_session.actor()
    change = service.get_visible(change_id, actor)
    rows, _total = inbox.list_tasks(actor, inbox.InboxFilter(process=PROCESS, per_page=100, personal=False))
    task_id = next((row.id for row in rows if row.record_id == change.id), None)
    return render_template("unit_change/detail.html", change=change_view(change), task_id=task_id,
                           can_cancel=service.can_cancel(change, actor))


@blp.route("/org/changes/<int:change_id>/cancel", methods=["POST"])
def cancel(change_id: int) -> Any:
    try:
        with savepoint():
            service.cancel(change_id, web_session.actor(), (request.form.get("reason") or "").strip() or None)
        flash(_("The request has been cancelled."), "success")
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(url_for("unit_change.detail", change_id=change_id))
