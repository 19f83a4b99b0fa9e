"""The landing page sends each role to its own start page."""
from __future__ import annotations

from flask import Blueprint, Response, redirect, url_for

from . import session as web_session
from .navigation import start_endpoint

blp = Blueprint("home", __name__)


@blp.route("/")
def index() -> Response:
    return redirect(url_for(start_endpoint(web_session.actor())))
