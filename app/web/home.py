"""The landing page sends each role to its own start page."""
from __future__ import annotations

from flask import Blueprint, Response, redirect, url_for

from . import session as web_session

blp = Blueprint("home", __name__)

START_PAGES = {
    "trainee": "trainee.home",
    "reviewer": "inbox.index",
    "admin": "inbox.index",
    "process_admin": "processes.index",
    "auditor": "processes.index",
    "sysadmin": "processes.index",
}


@blp.route("/")
def index() -> Response:
    role = web_session.active_role()
    return redirect(url_for(START_PAGES.get(role or "", "account.password")))
