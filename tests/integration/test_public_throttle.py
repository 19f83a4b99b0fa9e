"""What anyone may do without logging in is throttled per address (``services/throttle.py``): accounts
made by registering (trainees', units' first administrators') count only when made; 忘记密码 look-ups
count every time. A refusal is 429 with Retry-After and makes nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from app.domain.credit_code import check_character
from app.domain.idnumber import check_digit
from app.extensions import db
from app.models import PublicAttempt, User

ADDRESS = {"REMOTE_ADDR": "198.51.100.7"}


def _id_number(n: int) -> str:
    body = f"11010519900307{n:03d}"
    return body + check_digit(body)


def _trainee(api, n: int, address=ADDRESS):
    return api.client.post("/api/v1/auth/register", json={"id_number": _id_number(n), "name": "测试人员"},
                           environ_base=address)


def _unit(api, world, n: int):
    first17 = f"91330100MA2K7Q4R{n}"
    return api.client.post("/api/v1/units", environ_base=ADDRESS, json={
        "name": f"限流测试单位{n}有限公司", "unit_type": "企业", "industry": "道路运输业",
        "credit_code": first17 + check_character(first17), "parent_id": world.city,
        "username": f"throttled{n}", "admin_name": "赵新", "phone": "13900000001", "password": "Zhao2026min"})


def _users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_registrations_from_one_address_are_limited_and_refused_ones_do_not_count(app, api, world, monkeypatch):
    monkeypatch.setitem(app.config["AUTH"], "MAX_REGISTRATIONS_PER_IP", 3)
    assert _trainee(api, 1).status_code == 201
    assert api.client.post("/api/v1/auth/register", json={"id_number": "123", "name": "测试人员"},
                           environ_base=ADDRESS).status_code == 422  # refused: makes nothing, counts nothing
    assert _unit(api, world, 1).status_code == 201  # trainees and units share the count
    assert _trainee(api, 2).status_code == 201
    before = _users(app)
    refused = _unit(api, world, 2)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "900"
    error = refused.get_json()["error"]
    assert error["code"] == "too_many_attempts" and "15" in error["message"]
    assert _trainee(api, 3).status_code == 429
    assert _users(app) == before
    assert _trainee(api, 4, {"REMOTE_ADDR": "198.51.100.8"}).status_code == 201  # another address
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PublicAttempt).where(
            PublicAttempt.kind == "register", PublicAttempt.ip == ADDRESS["REMOTE_ADDR"])) == 3


def test_the_registration_page_is_throttled_too(app, web, monkeypatch):
    monkeypatch.setitem(app.config["AUTH"], "MAX_REGISTRATIONS_PER_IP", 1)
    client = web()
    first = client.post("/register", {"id_number": _id_number(5), "name": "测试人员", "phone": ""})
    assert first.status_code == 302
    second = client.post("/register", {"id_number": _id_number(6), "name": "测试人员", "phone": ""})
    assert second.status_code == 429
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username == _id_number(6))) is None
