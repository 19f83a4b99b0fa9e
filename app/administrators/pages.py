"""The pages 管理单位管理员 (the list, 新增管理员 in three ways, 设为超级管理员, 重置密码, 禁用, 删除)
and 角色管理 (roles, their permission modules and members), for the administrator hat of a unit or
an authority. Every action is a CSRF-protected POST; a service refusal is shown, never a 500."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..db import savepoint
from ..errors import ServiceError
from ..i18n import _, _l
from ..services.actors import Actor
from ..web import session as web_session
from ..web.forms import no_control_characters
from . import roles, service

blp = Blueprint("administrators_pages", __name__, template_folder="templates")
REQUIRED = _l("必填。")
NO_DEPARTMENT = 0


class MemberForm(FlaskForm):
    user_id = SelectField(_l("人员"), coerce=int, validate_choice=True)


class RegisterForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(REQUIRED), Length(max=32)])
    password = PasswordField(_l("密码"), validators=[DataRequired(REQUIRED), Length(max=128)])
    password_confirm = PasswordField(_l("确认密码"), validators=[DataRequired(REQUIRED), Length(max=128)])
    name = StringField(_l("真实姓名"), validators=[DataRequired(REQUIRED), Length(max=30), no_control_characters])
    phone = StringField(_l("手机号"), validators=[DataRequired(REQUIRED), Length(max=20)])
    department_id = SelectField(_l("工作部门"), coerce=int, validate_choice=True)


class ExistingForm(FlaskForm):
    username = StringField(_l("用户名或证件号"), validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(REQUIRED), Length(max=128)],
                             description=_l("The account's own password: its holder confirms."))


def _actor() -> tuple[Actor, int]:
    """The administrator hat of a unit or an authority, with the super administrator's title if held
    (the header chooses one hat; the title is held beside ``admin``)."""
    narrowed = web_session.actor()
    pair = next(iter(narrowed.roles)) if narrowed and narrowed.roles else None
    if pair is None or pair[0] not in (service.ADMIN, service.SUPER) or pair[1] is None \
            or narrowed.org_kinds.get(pair[1]) not in ("unit", "authority"):
        abort(403)
    full = web_session.full_actor()
    org_id = pair[1]
    hats = frozenset(p for p in full.roles if p[1] == org_id and p[0] in (service.ADMIN, service.SUPER))
    return full.narrowed(hats), org_id


def _forms(actor: Actor, org_id: int) -> dict[str, FlaskForm]:
    forms = {"member": MemberForm(prefix="member"), "register": RegisterForm(prefix="register"),
             "existing": ExistingForm(prefix="existing")}
    forms["member"].user_id.choices = [(u.id, f"{u.name}（{u.username}）") for u in service.candidates(actor, org_id)]
    forms["register"].department_id.choices = [(NO_DEPARTMENT, _("无")), *service.departments(org_id).items()]
    return forms


def _render(actor: Actor, org_id: int, forms: dict[str, FlaskForm] | None = None, *, mode: str | None = None,
            error: ServiceError | None = None, password: dict[str, Any] | None = None, status: int = 200) -> Any:
    return render_template("administrators/admins.html", rows=service.list_admins(actor, org_id),
                           forms=forms or _forms(actor, org_id), mode=mode, error=error,
                           field_errors=dict(error.fields or {}) if error else {},
                           is_super=actor.has(service.SUPER, org_id), org_name=actor.org_name(org_id),
                           password=password), status


@blp.route("/org/admins")
def admins() -> Any:
    actor, org_id = _actor()
    return _render(actor, org_id)


@blp.route("/org/admins/add/<any(member, register, existing):mode>", methods=["POST"])
def add(mode: str) -> Any:
    """新增管理员: 选择成为管理员 / 注册成为管理员 / 添加成为管理员."""
    actor, org_id = _actor()
    forms = _forms(actor, org_id)
    form = forms[mode]
    if not form.validate_on_submit():
        return _render(actor, org_id, forms, mode=mode, status=422)
    body: dict[str, Any] = {"mode": mode, **{k: v for k, v in form.data.items() if k != "csrf_token"}}
    if mode == "register":
        body["department_id"] = body["department_id"] or None
    try:
        with savepoint():
            user = service.add(actor, org_id, body, request.remote_addr or "")
    except ServiceError as exc:
        return _render(actor, org_id, forms, mode=mode, error=exc, status=exc.status)
    flash(_("%(name)s is now an administrator.", name=user.name), "success")
    return redirect(url_for("administrators_pages.admins"))


def _act(action: Any, done: Any, back: str = "administrators_pages.admins") -> Any:
    """Do ``action`` (undone if refused), say how it went, and go back to the list."""
    try:
        with savepoint():
            action()
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(done, "success")
    return redirect(url_for(back))


@blp.route("/org/admins/<int:user_id>/super", methods=["POST"])
def make_super(user_id: int) -> Any:
    actor, org_id = _actor()
    return _act(lambda: service.make_super(actor, org_id, user_id),
                _("The super administrator's title has passed on; you remain an administrator."))


@blp.route("/org/admins/<int:user_id>/reset-password", methods=["POST"])
def reset_password(user_id: int) -> Any:
    """重置密码: the temporary password is shown on this answer only (never stored, never flashed)."""
    actor, org_id = _actor()
    try:
        with savepoint():
            password = service.reset_password(actor, org_id, user_id)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("administrators_pages.admins"))
    name = next((row["name"] for row in service.list_admins(actor, org_id) if row["id"] == user_id), "")
    response = render_template("administrators/admins.html", rows=service.list_admins(actor, org_id),
                               forms=_forms(actor, org_id), mode=None, error=None, field_errors={},
                               is_super=True, org_name=actor.org_name(org_id),
                               password={"name": name, "value": password})
    return response, 200, {"Cache-Control": "no-store"}


@blp.route("/org/admins/<int:user_id>/<any(disable, enable):what>", methods=["POST"])
def set_active(user_id: int, what: str) -> Any:
    actor, org_id = _actor()
    return _act(lambda: service.set_active(actor, org_id, user_id, what == "enable"),
                _("The account is enabled.") if what == "enable" else _("The account is disabled."))


@blp.route("/org/admins/<int:user_id>/delete", methods=["POST"])
def delete(user_id: int) -> Any:
    actor, org_id = _actor()
    return _act(lambda: service.remove(actor, org_id, user_id), _("The administrator's rights here are removed."))


# -- 角色管理 ----------------------------------------------------------------------------------------

def _render_roles(actor: Actor, org_id: int, error: ServiceError | None = None, status: int = 200,
                  typed: dict[str, Any] | None = None) -> Any:
    _org, items = roles.list_roles(actor, org_id)
    return render_template("administrators/roles.html", rows=items, modules=list(roles.MODULES.values()),
                           people=roles.people(org_id), error=error, typed=typed or {},
                           field_errors=dict(error.fields or {}) if error else {},
                           org_name=actor.org_name(org_id)), status


def _role_form() -> tuple[str, list[str]]:
    return (request.form.get("name") or "")[:60], request.form.getlist("modules")[:20]


@blp.route("/org/roles", methods=["GET", "POST"], endpoint="roles")
def roles_page() -> Any:
    """角色管理: the roles, their permission modules and members; a form for a new role."""
    actor, org_id = _actor()
    if request.method == "POST":
        name, modules = _role_form()
        try:
            with savepoint():
                roles.create_role(actor, org_id, name, modules)
        except ServiceError as exc:
            return _render_roles(actor, org_id, exc, exc.status, {"name": name, "modules": modules})
        flash(_("Role “%(name)s” added.", name=name.strip()), "success")
        return redirect(url_for("administrators_pages.roles"))
    return _render_roles(actor, org_id)


def _role_act(action: Any, done: Any) -> Any:
    return _act(action, done, "administrators_pages.roles")


@blp.route("/org/roles/<int:role_id>", methods=["POST"])
def edit_role(role_id: int) -> Any:
    actor, _org = _actor()
    name, modules = _role_form()
    return _role_act(lambda: roles.update_role(actor, role_id, {"name": name, "modules": modules}),
                     _("Role saved."))


@blp.route("/org/roles/<int:role_id>/delete", methods=["POST"])
def delete_role(role_id: int) -> Any:
    actor, _org = _actor()
    return _role_act(lambda: roles.delete_role(actor, role_id), _("Role deleted."))


@blp.route("/org/roles/<int:role_id>/members", methods=["POST"])
def role_members(role_id: int) -> Any:
    actor, _org = _actor()
    ids = [int(v) for v in request.form.getlist("user_ids")[:roles.MAX_MEMBERS + 1] if v.isdigit() and len(v) < 10]
    return _role_act(lambda: roles.set_members(actor, role_id, ids), _("Role members saved."))
