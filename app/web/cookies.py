"""The signed session cookie, for the pages only.

The JSON API authenticates every request by its bearer token and never reads the cookie, so an API
request neither opens nor saves one: Flask would otherwise parse and verify the cookie a browser
sends along and build the signing serializer on each request (~135 Python calls an API call). The
serializer is also built once per secret key for the pages, rather than on every open and save.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

API_PREFIX = "/api/"


class PageCookieSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer | None] = {}

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(API_PREFIX):
            return self.session_class()  # empty, and never sent back (save_session)
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if request.path.startswith(API_PREFIX):
            return
        super().save_session(app, session, response)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (id(app), app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if key not in self._serializers:
            self._serializers[key] = super().get_signing_serializer(app)
        return self._serializers[key]
