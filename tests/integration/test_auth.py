"""Tokens, logout, expiry, throttling and the first-login password change, through the HTTP API."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app import create_app
from app.api.v1.context import PUBLIC_ENDPOINTS
from app.extensions import db
from app.models import ApiToken, LoginAttempt, User, utcnow
from tests.support.api import PREFIX
from tests.support.people import NEW_TRAINEE_ID, make_trainee
from tests.support.world import PASSWORD, T1

INITIAL = NEW_TRAINEE_ID[-6:]  # the seeds' initial password: last six characters of the ID


def _error(response) -> dict:
    body = response.get_json()
    assert body is not None and set(body) == {"error"}, body
    return body["error"]


# -- POST /auth/token -------------------------------------------------------------------

def test_token_for_good_credentials(api, app):
    response = api.login("unit_reviewer")
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == app.config["AUTH"]["TOKEN_TTL_SECONDS"]
    assert body["must_change_password"] is False
    assert len(body["access_token"]) >= 32
    me = api.client.get(PREFIX + "/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == "unit_reviewer"
    with app.app_context():  # only a digest of the token is stored
        stored = db.session.scalars(db.select(ApiToken.token_hash)).all()
        assert body["access_token"] not in stored and len(stored) == 1


def test_trainee_logs_in_with_id_number(api):
    response = api.login(T1.lower())  # a lower-case check character would still be found
    assert response.status_code == 200
    assert api.login(f"  {T1} ").status_code == 200


@pytest.mark.parametrize("username, password", [
    ("unit_reviewer", "wrong-password-1"),
    ("nobody", PASSWORD),
    (NEW_TRAINEE_ID, PASSWORD),  # a valid-looking ID number that has no account
])
def test_bad_credentials_all_look_the_same(api, username, password):
    reference = api.login("unit_reviewer", "another-wrong-1")
    response = api.login(username, password)
    assert response.status_code == 401
    assert _error(response)["code"] == "bad_credentials"
    assert response.get_json() == reference.get_json()
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_inactive_account_cannot_log_in_and_loses_its_tokens(api, app):
    token_client = api.as_("unit_reviewer")
    assert token_client.get("/tasks").status_code == 200
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "unit_reviewer"))
        user.is_active = False
        db.session.commit()
    assert _error(api.login("unit_reviewer"))["code"] == "bad_credentials"
    assert token_client.get("/tasks").status_code == 401


@pytest.mark.parametrize("body", [{}, {"username": "admin"}, {"username": "", "password": "x"},
                                  {"username": "admin", "password": PASSWORD, "extra": 1}])
def test_malformed_login_body_is_422(api, body):
    response = api.client.post(PREFIX + "/auth/token", json=body)
    assert response.status_code == 422
    assert _error(response)["code"] == "invalid"


# -- routes without a valid token -------------------------------------------------------

def _protected_routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX) or rule.endpoint.split(".")[0] not in {
                "auth", "claims", "enrollments", "tasks", "hours", "instances"}:
            continue
        if rule.endpoint in PUBLIC_ENDPOINTS:  # login and self-registration
            continue
        path = re.sub(r"<(?:int:)?[a-z_]+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, path))
    return routes


def test_every_route_but_login_and_registration_needs_a_token(api, app):
    routes = _protected_routes(app)
    # the API's whole surface is covered, not just a few routes
    assert ("GET", PREFIX + "/claims") in routes and ("POST", PREFIX + "/tasks/batch") in routes
    assert ("GET", PREFIX + "/process-instances/1/events") in routes
    assert len(routes) >= 25
    for method, path in routes:
        for headers in ({}, {"Authorization": "Bearer not-a-real-token"},
                        {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "}):
            response = api.client.open(path, method=method, headers=headers, json={})
            assert response.status_code == 401, (method, path, headers, response.get_json())
            assert _error(response)["code"] == "unauthorized", (method, path)


def test_logout_revokes_the_token(api):
    trainee = api.as_(T1)
    assert trainee.get("/claims").status_code == 200
    assert trainee.post("/auth/logout").get_json() == {"ok": True}
    response = trainee.get("/claims")
    assert response.status_code == 401 and _error(response)["code"] == "unauthorized"
    assert trainee.post("/auth/logout").status_code == 401
    fresh = api.login(T1).get_json()["access_token"]  # other logins are unaffected
    assert api.client.get(PREFIX + "/claims", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_expired_token_is_refused(api, app):
    trainee = api.as_(T1)
    assert trainee.get("/me").status_code == 200
    with app.app_context():
        token = db.session.scalar(db.select(ApiToken))
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = trainee.get("/me")
    assert response.status_code == 401 and _error(response)["code"] == "unauthorized"


# -- first login: the initial password must be changed ------------------------------------

@pytest.fixture
def newcomer(app, api):
    make_trainee(app, password=INITIAL, must_change_password=True)
    response = api.login(NEW_TRAINEE_ID, INITIAL)
    assert response.status_code == 200
    assert response.get_json()["must_change_password"] is True
    return _Session(api, response.get_json()["access_token"])


class _Session:
    def __init__(self, api, token):
        self.api, self.token = api, token

    def open(self, method, path, **kwargs):
        return self.api.client.open(PREFIX + path, method=method,
                                    headers={"Authorization": f"Bearer {self.token}"}, **kwargs)

    def change(self, old, new):
        return self.open("POST", "/auth/password", json={"old_password": old, "new_password": new})


def test_initial_password_only_allows_the_password_change(newcomer):
    for method, path in (("GET", "/claims"), ("GET", "/tasks"), ("GET", "/enrollments"),
                         ("GET", "/me/hours"), ("POST", "/claims")):
        response = newcomer.open(method, path, json={} if method == "POST" else None)
        assert response.status_code == 403, (method, path)
        assert _error(response)["code"] == "password_change_required"
    me = newcomer.open("GET", "/me")
    assert me.status_code == 200
    body = me.get_json()
    assert body["must_change_password"] is True and body["roles"] == []
    assert "****" in body["id_number"] and body["id_number"] != NEW_TRAINEE_ID
    assert newcomer.open("POST", "/auth/logout").status_code == 200  # logging out is allowed too
    assert newcomer.open("GET", "/me").status_code == 401


@pytest.mark.parametrize("weak", ["ab1", "abcdefghij", "12345678901", INITIAL, NEW_TRAINEE_ID])
def test_weak_new_passwords_are_refused(newcomer, weak):
    response = newcomer.change(INITIAL, weak)
    assert response.status_code == 422
    error = _error(response)
    assert error["fields"]["new_password"], error
    assert newcomer.open("GET", "/claims").status_code == 403  # nothing changed


def test_wrong_old_password_is_refused(newcomer):
    response = newcomer.change("000000", "NewPass2024")
    assert response.status_code == 422
    assert "old_password" in _error(response)["fields"]
    assert newcomer.open("GET", "/claims").status_code == 403


def test_password_change_unlocks_the_account(newcomer, api):
    response = newcomer.change(INITIAL, "NewPass2024")
    assert response.status_code == 200 and response.get_json() == {"ok": True}
    assert newcomer.open("GET", "/claims").status_code == 200
    assert newcomer.open("GET", "/me").get_json()["must_change_password"] is False

    old = api.login(NEW_TRAINEE_ID, INITIAL)
    assert old.status_code == 401 and _error(old)["code"] == "bad_credentials"
    new = api.login(NEW_TRAINEE_ID, "NewPass2024")
    assert new.status_code == 200 and new.get_json()["must_change_password"] is False


def test_new_password_must_differ_from_the_current_one(api):
    response = api.as_("unit_reviewer").post("/auth/password", json={
        "old_password": PASSWORD, "new_password": PASSWORD})
    assert response.status_code == 422
    assert _error(response)["fields"]["new_password"]
    assert api.login("unit_reviewer").status_code == 200


# -- throttling guessers --------------------------------------------------------------------

def _from(api, address: str, username: str, password: str = PASSWORD):
    return api.client.post(PREFIX + "/auth/token", json={"username": username, "password": password},
                           environ_base={"REMOTE_ADDR": address})


def test_api_logins_are_throttled_per_account_until_the_window_passes(api, app):
    limit = app.config["AUTH"]["MAX_FAILED_LOGINS"]
    for _ in range(limit):
        assert api.login("unit_reviewer", "wrong-password-1").status_code == 401
    blocked = api.login("unit_reviewer")  # even the right password now waits
    assert blocked.status_code == 429 and _error(blocked)["code"] == "too_many_attempts"
    assert blocked.headers["Retry-After"] == str(app.config["AUTH"]["LOGIN_WINDOW_SECONDS"])
    assert api.login("unit_reviewer_b").status_code == 200  # other accounts are unaffected
    with app.app_context():  # the window passes
        window = timedelta(seconds=app.config["AUTH"]["LOGIN_WINDOW_SECONDS"] + 1)
        for attempt in db.session.scalars(db.select(LoginAttempt)):
            attempt.at = attempt.at - window
        db.session.commit()
    assert api.login("unit_reviewer").status_code == 200


def test_a_successful_login_clears_the_account_failures(api, app):
    limit = app.config["AUTH"]["MAX_FAILED_LOGINS"]
    for _ in range(limit - 1):
        assert api.login("unit_reviewer", "wrong-password-1").status_code == 401
    assert api.login("unit_reviewer").status_code == 200
    for _ in range(limit - 1):
        assert api.login("unit_reviewer", "wrong-password-1").status_code == 401
    assert api.login("unit_reviewer").status_code == 200


def test_one_address_guessing_many_accounts_is_throttled(api, app, monkeypatch):
    monkeypatch.setitem(app.config["AUTH"], "MAX_FAILED_LOGINS_PER_IP", 4)
    for name in ("nobody-1", "nobody-2", "unit_reviewer", "auditor"):
        assert _from(api, "203.0.113.7", name, "wrong-password-1").status_code == 401
    blocked = _from(api, "203.0.113.7", "unit_reviewer_b")
    assert blocked.status_code == 429 and _error(blocked)["code"] == "too_many_attempts"
    assert _from(api, "203.0.113.8", "unit_reviewer_b").status_code == 200


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(api, app):
    spoofed = {"X-Forwarded-For": "198.51.100.1"}
    api.client.post(PREFIX + "/auth/token", json={"username": "x", "password": "y"}, headers=spoofed,
                    environ_base={"REMOTE_ADDR": "203.0.113.9"})
    proxied = create_app({**{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI",
                                                        "STORAGE", "AUTH")}, "TRUSTED_PROXIES": 1})
    proxied.test_client().post(PREFIX + "/auth/token", json={"username": "y", "password": "y"},
                               headers=spoofed, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    with app.app_context():
        seen = dict(db.session.execute(db.select(LoginAttempt.username, LoginAttempt.ip)).all())
    # served directly, a client cannot pick its address; behind the proxy, the proxy's header counts
    assert seen == {"X": "203.0.113.9", "Y": "198.51.100.1"}
