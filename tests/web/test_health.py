"""``/healthz`` for the load balancer: no login, 200 with a database, 503 without one."""
from __future__ import annotations

from app import create_app


def test_health_needs_no_login_and_sets_no_cookie(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert "Set-Cookie" not in response.headers


def test_health_is_503_when_the_database_is_unreachable(app, tmp_path):
    broken = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no-such-folder/x.db"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}


def test_the_browser_finds_a_favicon_without_logging_in(app):
    response = app.test_client().get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/x-icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "Set-Cookie" not in response.headers
