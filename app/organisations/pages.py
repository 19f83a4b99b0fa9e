"""组织架构树, an organisation's page, 管理内设部门 and 管理下级单位 (thin views over ``service``)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..db import savepoint
from ..errors import ServiceError
from ..i18n import _, _l, label
from ..models import UNIT_TYPES
from ..web import session as web_session
from ..web.forms import no_control_characters
from . import departments as department_rules
from . import service

blp = Blueprint("organisation_pages", __name__, template_folder="templates")
TOP = 0  # the parent choice "none: a top-level department"
KIND_LABELS = {"authority": _l("Authority"), "unit": _l("Employer unit"), "provider": _l("Training provider"),
               "supervisor": _l("Provider supervisor"), "hr": _l("HR department")}


class DepartmentForm(FlaskForm):
    name = StringField(_l("Department name"), validators=[DataRequired(_l("Required.")), Length(max=60),
                                                         no_control_characters])
    parent_id = SelectField(_l("Parent department"), coerce=int, validate_choice=True)


class DepartmentEditForm(DepartmentForm):
    active = BooleanField(_l("Enabled"), default=True)


class RemoveForm(FlaskForm):
    comment = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=200)])


def _actor() -> Any:
    actor = web_session.actor()
    if actor is None:
        abort(403)
    return actor


def _kinds() -> dict[str, str]:
    return {key: str(value) for key, value in KIND_LABELS.items()}


@blp.route("/organisations")
def tree() -> Any:
    """组织架构树: what the chosen hat may see, with counts, expandable, searchable."""
    actor = _actor()
    q = (request.args.get("q") or "").strip()[:60]
    roots = service.tree(actor, q=q or None)
    return render_template("organisations/tree.html", roots=roots, q=q, kinds=_kinds())


@blp.route("/organisations/<int:org_id>")
def detail(org_id: int) -> Any:
    """An organisation: its facts, administrators and departments."""
    actor = _actor()
    org = service.detail(actor, org_id)
    return render_template("organisations/detail.html", org=org, kinds=_kinds(), form=RemoveForm(formdata=None))


def _parent_choices(rows: list[dict[str, Any]], exclude: int | None = None) -> list[tuple[int, str]]:
    """Enabled departments as an indented list (not ``exclude`` nor anything under it)."""
    out, skip_below = [], None
    for row in rows:
        if skip_below is not None and row["depth"] > skip_below:
            continue
        skip_below = None
        if row["id"] == exclude:
            skip_below = row["depth"]
            continue
        if row["active"]:
            out.append((row["id"], "　" * row["depth"] + row["name"]))
    return [(TOP, _("None (top level)")), *out]


@blp.route("/departments")
def mine() -> Any:
    """管理内设部门 from the header: the departments of the organisation the hat is for."""
    actor = _actor()
    org_id = next((org for role, org in actor.roles if role in service.ADMIN_ROLES and org is not None), None)
    if org_id is None:
        abort(403)
    return redirect(url_for("organisation_pages.departments", org_id=org_id))


@blp.route("/organisations/<int:org_id>/departments", methods=["GET", "POST"])
def departments(org_id: int) -> Any:
    """管理内设部门: the departments (its administrators change them; the authority above reads)."""
    actor = _actor()
    org = service.visible_org(actor, org_id)
    rows = service.departments(actor, org_id)
    form = DepartmentForm()
    form.parent_id.choices = _parent_choices(rows)
    error = None
    if request.method == "POST":
        if not service.manages(actor, org_id):
            abort(403)
        if form.validate_on_submit():
            try:
                with savepoint():
                    row = department_rules.add_department(actor, org_id, form.name.data.strip(),
                                                          form.parent_id.data or None)
            except ServiceError as exc:
                error = exc
            else:
                flash(_("Department “%(name)s” added.", name=row.name), "success")
                return redirect(url_for("organisation_pages.departments", org_id=org_id))
    status = error.status if error else (422 if form.errors else 200)
    return render_template("organisations/departments.html", org=org, rows=rows, form=form, error=error,
                           can_manage=service.manages(actor, org_id), choices=lambda exclude: _parent_choices(
                               rows, exclude), field_errors=dict(error.fields or {}) if error else {}), status


@blp.route("/organisations/<int:org_id>/departments/<int:department_id>", methods=["POST"])
def edit_department(org_id: int, department_id: int) -> Any:
    """Rename, move, 禁用 / 启用 one department (its row's form)."""
    actor = _actor()
    rows = service.departments(actor, org_id)
    if not service.manages(actor, org_id):
        abort(403)
    form = DepartmentEditForm()
    form.parent_id.choices = _parent_choices(rows) + [(row["id"], row["name"]) for row in rows if not row["active"]]
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors) or _("Please check the form."),
              "error")
    else:
        try:
            with savepoint():
                department_rules.update_department(actor, org_id, department_id, {
                    "name": form.name.data.strip(), "parent_id": form.parent_id.data or None,
                    "active": form.active.data})
            flash(_("Department saved."), "success")
        except ServiceError as exc:
            flash(exc.message, "error")
    return redirect(url_for("organisation_pages.departments", org_id=org_id))


@blp.route("/subordinate-units")
def subordinates() -> Any:
    """管理下级单位: the approved units below my authority, with their administrators."""
    actor = _actor()
    q = (request.args.get("q") or "").strip()[:60]
    unit_type = request.args.get("unit_type") or None
    if unit_type not in (None, *UNIT_TYPES):
        unit_type = None
    rows = service.subordinate_units(actor, q=q or None, unit_type=unit_type)
    return render_template("organisations/subordinates.html", rows=rows, q=q, unit_type=unit_type or "",
                           unit_types=[(value, label(value)) for value in UNIT_TYPES],
                           form=RemoveForm(formdata=None))


@blp.route("/subordinate-units/<int:org_id>/remove", methods=["POST"])
def remove(org_id: int) -> Any:
    """删除 a subordinate unit (refused, with the reason, while it is in use)."""
    actor = _actor()
    service.require_authority_admin(actor)
    form = RemoveForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("organisation_pages.subordinates"))
    try:
        with savepoint():
            org = service.remove_unit(actor, org_id, (form.comment.data or "").strip() or None)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_("Unit “%(name)s” removed.", name=org.name), "success")
    return redirect(url_for("organisation_pages.subordinates"))
