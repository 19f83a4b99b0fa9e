"""年度申报时间与政策设置, the authority administrators' page: for a year, the claim window, the
supplementary window and the required hours of their subtree, with config's bounds, what is in
force now and the history of changes (the audit events)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField
from wtforms.validators import NumberRange, Optional

from ..clock import today
from ..db import savepoint
from ..errors import ServiceError
from ..i18n import _, _l, label
from ..web import session as web_session
from ..web.forms import finite_number
from . import service

blp = Blueprint("windows_pages", __name__, template_folder="templates")
EMPTY_HINT = _l("Leave empty to inherit.")


def _hours(text: Any) -> DecimalField:
    return DecimalField(text, places=1, validators=[Optional(), finite_number, NumberRange(0, 1000)],
                        description=EMPTY_HINT)


class SettingsForm(FlaskForm):
    claim_opens_on = DateField(_l("Claim window opens"), validators=[Optional()], description=EMPTY_HINT)
    claim_closes_on = DateField(_l("Claim window closes"), validators=[Optional()])
    supplementary_opens_on = DateField(_l("Supplementary window opens"), validators=[Optional()],
                                       description=_l("In the following year. Leave empty to inherit."))
    supplementary_closes_on = DateField(_l("Supplementary window closes"), validators=[Optional()])
    total_hours = _hours(_l("Total hours required"))
    senior_total_hours = _hours(_l("Total for senior titles"))
    professional_hours = _hours(_l("Professional subjects, at least"))
    public_hours = _hours(_l("Public subjects, at least"))


def _authority() -> tuple[Any, int]:
    actor = web_session.actor()
    if actor is None:
        abort(403)
    mine = service.administered(actor)
    wanted = request.args.get("org", type=int)
    if not mine or (wanted is not None and wanted not in mine):
        abort(403)
    return actor, wanted if wanted is not None else mine[0]


def _year() -> int:
    year = request.args.get("year", type=int) or today().year
    return year if today().year - 1 <= year <= today().year + 1 else today().year


def _history(authority: int, year: int) -> list[dict[str, Any]]:
    return [{"at": event.at, "actor": label(event.actor_name),
             "action": str(service.ACTIONS.get(event.action, event.action)),
             "old": (event.data or {}).get("old") or {}, "new": (event.data or {}).get("new") or {}}
            for event in service.history(authority, year)]


@blp.route("/admin/windows", methods=["GET", "POST"])
def settings() -> Any:
    """The form (the authority's own settings, empty: inherited), the bounds, what is in force, the history."""
    actor, authority = _authority()
    year = _year()
    row = service.own(authority, year)
    form = SettingsForm(obj=row)
    error = None
    if form.validate_on_submit():
        try:
            with savepoint():
                service.save(actor, authority, year, {name: getattr(form, name).data for name in service.FIELDS})
        except ServiceError as exc:
            error = exc
        else:
            flash(_("The settings for %(year)s were saved.", year=year), "success")
            return redirect(url_for(".settings", year=year, org=authority))
    status = error.status if error else (422 if form.errors else 200)
    return render_template(
        "windows/settings.html", form=form, error=error, field_errors=dict(error.fields or {}) if error else {},
        year=year, years=range(today().year - 1, today().year + 2), authority=authority,
        authorities=[(org, actor.org_name(org)) for org in service.administered(actor)],
        effective=service.describe(authority, year), history=_history(authority, year),
        labels={name: getattr(form, name).label.text for name in service.FIELDS}), status
