"""Trainee self-registration and the forced first-login password change."""
from __future__ import annotations

import pytest

from app.domain.idnumber import check_digit

VALID = "11010519491231002" + check_digit("11010519491231002")


def test_register_then_forced_password_change(api):
    response = api.anonymous.post("/auth/register", json={"id_number": VALID.lower(), "name": "赵六",
                                                          "phone": "13912345678"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["username"] == VALID
    login = api.login(VALID, VALID[-6:])
    assert login.status_code == 200 and login.get_json()["must_change_password"] is True
    token = {"Authorization": f"Bearer {login.get_json()['access_token']}"}
    blocked = api.client.get("/api/v1/claims", headers=token)
    assert blocked.status_code == 403 and blocked.get_json()["error"]["code"] == "password_change_required"
    same = api.client.post("/api/v1/auth/password", headers=token,
                           json={"old_password": VALID[-6:], "new_password": VALID[-6:]})
    assert same.status_code == 422
    changed = api.client.post("/api/v1/auth/password", headers=token,
                              json={"old_password": VALID[-6:], "new_password": "Zhao2026liu"})
    assert changed.status_code == 200
    assert api.client.get("/api/v1/claims", headers=token).status_code == 200
    assert api.login(VALID, VALID[-6:]).status_code == 401


@pytest.mark.parametrize("id_number", [VALID[:-1] + ("0" if VALID[-1] != "0" else "1"),  # bad check digit
                                       "110105194913310021",  # month 13
                                       "11010519491231002"])   # 17 characters
def test_registration_checks_the_id_number(api, id_number):
    response = api.anonymous.post("/auth/register", json={"id_number": id_number, "name": "赵六"})
    assert response.status_code == 422
    assert "id_number" in response.get_json()["error"]["fields"]
    assert api.login(id_number, id_number[-6:]).status_code in (401, 422)


def test_registering_twice_is_a_conflict(api):
    body = {"id_number": VALID, "name": "赵六"}
    assert api.anonymous.post("/auth/register", json=body).status_code == 201
    again = api.anonymous.post("/auth/register", json=body)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_registered"


def test_bad_phone_and_name(api):
    response = api.anonymous.post("/auth/register", json={"id_number": VALID, "name": "赵", "phone": "123"})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) >= {"name", "phone"}
