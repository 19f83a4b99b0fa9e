"""A browser-like test client for the pages: keeps cookies, sends the CSRF token."""
from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from .world import PASSWORD

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class WebClient:
    def __init__(self, client: FlaskClient):
        self.client = client
        self.token: str | None = None

    def _remember(self, response: TestResponse) -> TestResponse:
        match = CSRF.search(response.get_data(as_text=True)) if response.mimetype == "text/html" else None
        if match:
            self.token = match.group(1)
        return response

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self._remember(self.client.get(path, **kwargs))

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True,
             **kwargs: Any) -> TestResponse:
        if csrf and self.token is None:
            self.get("/login")
        body = dict(data or {})
        if csrf:
            body.setdefault("csrf_token", self.token)
        return self._remember(self.client.post(path, data=body, **kwargs))

    def login(self, username: str, password: str = PASSWORD) -> TestResponse:
        self.get("/login")
        response = self.post("/login", {"username": username, "password": password})
        if response.status_code == 302:  # a login starts a new session: fetch its CSRF token
            self.follow(response)
        return response

    def follow(self, response: TestResponse, hops: int = 3) -> TestResponse:
        """GET where a redirect points (and on), keeping the token of the page reached."""
        while response.status_code in (301, 302, 303) and hops:
            response = self.get(response.headers["Location"])
            hops -= 1
        return response

    def text(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)


def logged_in(app: Any, username: str, password: str = PASSWORD) -> WebClient:
    client = WebClient(app.test_client())
    response = client.login(username, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client
