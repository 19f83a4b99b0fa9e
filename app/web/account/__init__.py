"""Login, logout, password change, self-registration, role and language switches."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from ...errors import ServiceError
from ...i18n import LANGUAGES, _
from ...services import accounts, throttle
from .. import session as web_session
from ..forms import safe_next
from .forms import LoginForm, PasswordForm, RegisterForm

blp = Blueprint("account", __name__)


@blp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    helper = current_app.extensions.get("password_help")  # a feature's 忘记密码 page, at /login?help
    if helper is not None and "help" in request.args:
        return helper()
    form = LoginForm(username=request.args.get("username", ""))
    error = None
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.username.data, form.password.data, request.remote_addr or "")
        except ServiceError as exc:
            error = exc
        else:
            web_session.start(user)
            if user.must_change_password:  # the page itself explains why
                return redirect(url_for("account.password"))
            return redirect(safe_next(request.args.get("next"), url_for("home.index")))
    status = error.status if error else (422 if form.errors else 200)
    return render_template("account/login.html", form=form, error=error,
                           password_help=helper is not None), status, \
        (error.headers if error else {})


@blp.route("/logout", methods=["POST"])
def logout() -> Response:
    web_session.end()
    flash(_("You have logged out."), "info")
    return redirect(url_for("account.login"))


@blp.route("/password", methods=["GET", "POST"])
def password() -> Any:
    form = PasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.old_password.data, form.new_password.data)
        except ServiceError as exc:
            error = exc
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("home.index"))
    field_errors = dict(error.fields or {}) if error else {}
    status = error.status if error else (422 if form.errors else 200)
    return render_template("account/password.html", form=form, error=error,
                           field_errors=field_errors), status


@blp.route("/register", methods=["GET", "POST"])
def register() -> Any:
    form = RegisterForm()
    error = None
    if form.validate_on_submit():
        try:
            throttle.registration(request.remote_addr or "")
            user = accounts.register_trainee(form.id_number.data, form.name.data, form.phone.data or None)
        except ServiceError as exc:
            error = exc
        else:
            flash(_("Registered. Log in with your ID number; the initial password is its last six "
                    "characters, and you will be asked to change it."), "success")
            return redirect(url_for("account.login", username=user.username))
    status = error.status if error else (422 if form.errors else 200)
    return render_template("account/register.html", form=form, error=error,
                           field_errors=dict(error.fields or {}) if error else {}), status


@blp.route("/role", methods=["POST"])
def switch_role() -> Response:
    wanted = request.form.get("role", "")
    full = web_session.Actor.of(current_user)
    if wanted in {c["key"] for c in web_session.choices(full)}:
        session["role"] = wanted
    else:
        flash(_("You do not hold that role."), "error")
    return redirect(url_for("home.index"))


@blp.route("/lang/<code>")
def language(code: str) -> Response:
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next"), url_for("home.index")))


@blp.route("/session/ping", methods=["POST"])
def ping() -> tuple[str, int]:
    """Keep the session alive (the idle warning's "continue" button); the guard did the work."""
    return "", 204
