"""The server-rendered pages: thin views over the same services as the API.

Views never hold a rule of their own: they call services with the actor of the
chosen role and show what the services answer (a ``ServiceError`` becomes a
message next to the field or at the top of the page).
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from ..db import READ_METHODS
from ..extensions import login_manager
from ..i18n import LANGUAGES, _, current_language
from ..services.plugins import public_endpoints
from . import session as web_session
from .cookies import PageCookieSessions
from .navigation import nav_links
from .pages import render_service_page
from .templating import init_templating

csrf = CSRFProtect()

API_PREFIX = "/api/"
# Pages anyone may open; everything else needs a login (and a changed initial password).
PUBLIC_ENDPOINTS = frozenset({"account.login", "account.register", "account.language", "static",
                              "health.healthz", "health.favicon", "certificate_pages.verify",
                              "certificate_pages.lookup", "record_pages.verify", "record_pages.lookup"})
PASSWORD_ENDPOINTS = frozenset({"account.password", "account.logout", "account.language", "account.ping"})


def init_web(app: Flask) -> None:
    csrf.init_app(app)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=int(app.config["AUTH"]["SESSION_IDLE_SECONDS"]))
    # The cookie is sent back only when the session changed (``touch`` changes it on every page a
    # logged-in person opens). Flask's default re-sends a permanent session on every response,
    # static files included: one of those, read with the cookie from before a language or role
    # switch and arriving after it, put the old session back.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.session_interface = PageCookieSessions()
    login_manager.login_view = "account.login"
    login_manager.login_message = None

    from .account import blp as account_blp
    from .certificates import blp as certificates_blp
    from .health import blp as health_blp
    from .home import blp as home_blp
    from .inbox import blp as inbox_blp
    from .processes import blp as processes_blp
    from .records import blp as records_blp

    for blueprint in (account_blp, health_blp, home_blp, inbox_blp, processes_blp, certificates_blp, records_blp):
        app.register_blueprint(blueprint)
    acting = [inbox_blp]
    for plugin in app.extensions["plugins"]:  # each process brings its own pages
        acting.extend(plugin.blueprints()[1])
    own = []  # the global roles' own pages (process administration)
    for feature in app.extensions.get("features", ()):  # and each feature (the online courses)
        (acting if feature.acts_on_records else own).extend(feature.page_blueprints)
    for blueprint in [*acting[1:], *own]:
        app.register_blueprint(blueprint)
    # Pages where people act on records: a process administrator or auditor only reads them.
    app.extensions["acting_pages"] = frozenset(blueprint.name for blueprint in acting)
    for name in app.extensions["api_blueprints"]:  # bearer tokens, no cookies: nothing to forge
        csrf.exempt(app.blueprints[name])
    app.extensions["page_error"] = render_service_page

    init_templating(app)
    app.before_request(_guard)
    app.context_processor(_context)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)

    @login_manager.unauthorized_handler
    def _unauthorized() -> Response:
        return _to_login()


def _to_login() -> Response:
    """To the login page, coming back here afterwards (a page, never a POST or the login itself)."""
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("account.login", next=back))


def _guard() -> Response | None:
    if request.path.startswith(API_PREFIX):
        return None
    public = request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None or request.endpoint in public_endpoints()
    if web_session.expired():
        web_session.end()
        minutes = max(1, web_session.idle_limit() // 60)
        flash(_("Your session ended after %(minutes)s minutes without activity. Please log in again.",
                minutes=minutes), "warning")
        if not public:  # the login page itself just shows, with the message
            return _to_login()
    if public:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    web_session.touch()
    if current_user.must_change_password and request.endpoint not in PASSWORD_ENDPOINTS:
        return redirect(url_for("account.password"))
    actor = web_session.actor()
    if request.method not in READ_METHODS and request.blueprint in current_app.extensions["acting_pages"] \
            and actor is not None and actor.reads_only:
        abort(403)  # process admins and auditors read records: whatever the form, nothing changes
    return None


def _context() -> dict[str, Any]:
    actor = web_session.actor() if current_user.is_authenticated else None
    active = next(iter(actor.roles)) if actor and actor.roles else None
    return {
        "actor": actor,
        "active_role": active[0] if active else None,
        "active_role_key": web_session.role_key(*active) if active else None,
        "active_org_name": actor.org_name(active[1]) if active else None,
        "role_choices": web_session.choices(web_session.full_actor()) if actor else [],
        "nav_links": nav_links(actor),
        "languages": LANGUAGES,
        "lang": current_language(),
        "session_idle_seconds": web_session.idle_limit(),
    }


def _csrf_error(error: CSRFError) -> Any:
    if request.path.startswith(API_PREFIX):
        return error
    flash(_("The form expired (it is protected against forgery). Please try again."), "error")
    return redirect(request.referrer or url_for("home.index"))


def _http_error(error: HTTPException) -> Any:
    if request.path.startswith(API_PREFIX):
        return current_app.extensions["json_api"].handle_http_exception(error)
    return render_template("errors/error.html", status=error.code, message=_http_message(error.code)), error.code


def _http_message(status: int | None) -> str:
    return {
        403: _("You may not open this page."),
        404: _("This page does not exist (or is not yours to see)."),
        405: _("This action is not allowed here."),
        413: _("The upload is too large."),
    }.get(status or 500, _("Something went wrong. Please try again."))
