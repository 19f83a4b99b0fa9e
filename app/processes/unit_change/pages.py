"""An organisation's pages for changes its parents approve: 更换上级部门 and 修改单位信息 (ask, follow,
cancel) and, for authorities, 审核机构信息修改 (待审核 / 已审核, one by one on the shared task page or
批量通过 / 驳回 through the inbox's batch)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ...db import savepoint
from ...errors import ServiceError
from ...extensions import db
from ...i18n import _, _l
from ...models import Organisation
from ...services import inbox
from ...web import session as web_session
from ...web.forms import no_control_characters, safe_next
from ...web.navigation import active
from . import service
from .models import INFO, PARENT
from .views import change_view

blp = Blueprint("unit_change", __name__, template_folder="templates")
REQUIRED = _l("Required.")
PROCESSES = ("unit_parent_change", "unit_change")  # both kinds share the authorities' review page


class ParentChangeForm(FlaskForm):
    new_parent_id = SelectField(_l("New parent authority"), coerce=int, validate_choice=True,
                                validators=[DataRequired(REQUIRED)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=200), no_control_characters])


class InfoChangeForm(FlaskForm):
    name = StringField(_l("New name"), validators=[Optional(), Length(max=120), no_control_characters],
                       description=_l("Leave empty to keep the current name."))
    code = StringField(_l("New unified social credit code"), validators=[Optional(), Length(max=40),
                                                                         no_control_characters],
                       description=_l("18 characters; leave empty to keep the current code."))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=200), no_control_characters])


def _tasks(actor: Any, status: str | None = None) -> list[Any]:
    """The actor's review tasks of both kinds of change (``status``: open / completed / None for all)."""
    rows: list[Any] = []
    for process in PROCESSES:
        found, _total = inbox.list_tasks(actor, inbox.InboxFilter(process=process, status=status, per_page=100,
                                                                  personal=False))
        rows.extend(found)
    return rows


def _acting_org() -> Organisation:
    """The organisation the person acts for (as reviewer or administrator), or 403."""
    role, org_id = active(web_session.actor())
    org = db.session.get(Organisation, org_id) if org_id and role in {*service.STAFF_ROLES, *service.INFO_ROLES} \
        else None
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
    changes = [c for c in changes if c["kind"] == PARENT]
    status = error.status if error else (422 if form.errors else 200)
    return render_template("unit_change/request.html", org=org, form=form, error=error, changes=changes,
                           pending=pending, field_errors=dict(error.fields or {}) if error else {}), status


@blp.route("/org/info-change", methods=["GET", "POST"], endpoint="info")
def info_page() -> Any:
    """修改单位信息: the organisation's name and credit code, the request form, and its changes so far
    (each waiting one with 撤销)."""
    actor = web_session.actor()
    org = _acting_org()
    if org.kind not in service.CHANGEABLE or not actor.staff_of(org.id, service.INFO_ROLES):
        abort(403)
    form = InfoChangeForm()
    error = None
    if form.validate_on_submit():
        try:
            with savepoint():
                change = service.request_info_change(org.id, actor, {
                    "name": form.name.data, "code": form.code.data, "reason": form.reason.data.strip()})
        except ServiceError as exc:
            error = exc
        else:
            flash(_("Your request has been sent to the parent authority."), "success")
            return redirect(url_for("unit_change.detail", change_id=change.id))
    everything = [change_view(c, with_log=False) for c in service.of_org(org.id)]
    pending = next((c for c in everything if c["status"] == service.PENDING), None)
    changes = [c for c in everything if c["kind"] == INFO]
    cancellable = {c.id for c in service.of_org(org.id) if c.kind == INFO and c.status == service.PENDING
                   and service.can_cancel(c, actor)}
    status = error.status if error else (422 if form.errors else 200)
    return render_template("unit_change/info.html", org=org, form=form, error=error, changes=changes,
                           pending=pending, cancellable=cancellable,
                           field_errors=dict(error.fields or {}) if error else {}), status


@blp.route("/org/changes")
def review() -> Any:
    """审核机构信息修改: changes waiting for this authority (待审核) and those it decided (已审核)."""
    actor = web_session.actor()
    _acting_org()
    tab = "reviewed" if request.args.get("tab") == "reviewed" else "pending"
    rows = _tasks(actor, "open" if tab == "pending" else "completed")
    tasks = {row.record_id: row.id for row in rows}
    items = [change_view(c, with_log=False) for c in service.changes(list(tasks))]
    actionable = {row.id for row in rows if row.status == "open"} if tab == "pending" else set()
    return render_template("unit_change/review.html", tab=tab, items=items, tasks=tasks, actionable=actionable)


@blp.route("/org/changes/<int:change_id>")
def detail(change_id: int) -> Any:
    actor = web_session.actor()
    change = service.get_visible(change_id, actor)
    instance = change.instance_id
    task_id = next((row.id for row in _tasks(actor) if row.instance_id == instance), None)
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
    return redirect(safe_next(request.form.get("next"), url_for("unit_change.detail", change_id=change_id)))
