"""Every change of who can do what is an administrative audit event with its old and new values
(``services/access_changes.py``), never a password or a hash: an account registered (API and
page), a password changed (API and page), an API token issued and revoked, a trainee's unit set
by an approved enrolment or an accepted staff transfer. A change that changes nothing records
nothing; the administrative chain stays verifiable.
"""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from app.db import transaction
from app.extensions import db
from app.models import ProcessEvent, User
from app.services import access_changes, audit
from app.services.accounts import set_trainee_unit
from tests.support.people import ENROLMENT_PROFILE, NEW_TRAINEE_ID, OTHER_TRAINEE_ID, make_trainee
from tests.support.world import PASSWORD, T3

NEW_PASSWORD = "Zhao2026min"


def _mark(app) -> int:
    """The last event's id: the demo data's own enrolments and transfer are role changes too."""
    with app.app_context():
        return db.session.scalar(select(func.max(ProcessEvent.id))) or 0


def _events(app, action: str | None = None, user_id: int | None = None, since: int = 0) -> list[ProcessEvent]:
    with app.app_context():
        query = select(ProcessEvent).where(ProcessEvent.instance_id.is_(None), ProcessEvent.record_type == "user",
                                           ProcessEvent.id > since)
        if action:
            query = query.where(ProcessEvent.action == action)
        if user_id is not None:
            query = query.where(ProcessEvent.record_id == user_id)
        rows = db.session.scalars(query.order_by(ProcessEvent.id)).all()
        db.session.expunge_all()
        return list(rows)


def _user(app, username: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge(user)
        return user


def _no_secret_in_any_event(app, *secrets: str) -> None:
    with app.app_context():
        texts = [json.dumps(e.data, ensure_ascii=False) + (e.comment or "")
                 for e in db.session.scalars(select(ProcessEvent).where(ProcessEvent.instance_id.is_(None)))]
        hashes = [h for (h,) in db.session.execute(select(User.password_hash))]
    for text in texts:
        assert not any(secret in text for secret in (*secrets, *hashes)), text
        assert "pbkdf2" not in text and "scrypt" not in text and "password_hash" not in text, text


def test_registering_through_the_api_is_recorded(app, api):
    response = api.anonymous.post("/auth/register", json={"id_number": NEW_TRAINEE_ID, "name": "赵敏"})
    assert response.status_code == 201
    user = _user(app, NEW_TRAINEE_ID)
    [event] = _events(app, access_changes.REGISTER, user.id)
    assert event.actor_id == user.id and event.actor_name == "赵敏"
    assert event.data == {"new": {"username": NEW_TRAINEE_ID, "name": "赵敏", "must_change_password": True,
                                  "roles": []}}
    _no_secret_in_any_event(app)  # (the initial password is the ID number's end: it is public anyway)


def test_a_refused_registration_records_nothing(app, api):
    assert api.anonymous.post("/auth/register", json={"id_number": "123", "name": "赵敏"}).status_code == 422
    demo_applicant = _user(app, "unit_applicant").id  # the demo's unit registration made one
    assert [e for e in _events(app, access_changes.REGISTER) if e.record_id != demo_applicant] == []


def test_registering_and_changing_the_password_on_the_pages_are_recorded(app, web):
    client = web()
    client.get("/register")
    assert client.post("/register", {"id_number": OTHER_TRAINEE_ID, "name": "钱七"}).status_code == 302
    client.login(OTHER_TRAINEE_ID, OTHER_TRAINEE_ID[-6:])
    assert client.post("/password", {"old_password": OTHER_TRAINEE_ID[-6:], "new_password": NEW_PASSWORD,
                                     "confirm": NEW_PASSWORD}).status_code == 302
    user = _user(app, OTHER_TRAINEE_ID)
    actions = [e.action for e in _events(app, user_id=user.id)]
    assert actions == [access_changes.REGISTER, access_changes.PASSWORD_CHANGE]  # a page login is no event
    [change] = _events(app, access_changes.PASSWORD_CHANGE, user.id)
    assert change.data["old"] == {"must_change_password": True, "password_changed_at": None}
    assert change.data["new"]["must_change_password"] is False
    assert change.data["new"]["password_changed_at"] == user.password_changed_at.isoformat()
    _no_secret_in_any_event(app, NEW_PASSWORD)


def test_a_wrong_old_password_changes_nothing_and_records_nothing(app, api, world):
    response = api.as_(T3).post("/auth/password", json={"old_password": "wrong-one", "new_password": NEW_PASSWORD})
    assert response.status_code == 422
    assert _events(app, access_changes.PASSWORD_CHANGE) == []


def test_a_password_change_through_the_api_and_its_tokens_are_recorded(app, api, world):
    login = api.login(T3)
    assert login.status_code == 200
    token = login.get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    [issued] = _events(app, access_changes.TOKEN_ISSUE, world.user[T3])
    assert issued.actor_id == world.user[T3] and set(issued.data["new"]) == {"token_id", "expires_at"}
    changed = api.client.post("/api/v1/auth/password", headers=headers,
                              json={"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 200
    [change] = _events(app, access_changes.PASSWORD_CHANGE, world.user[T3])
    assert change.data["old"]["must_change_password"] is False and change.data["new"]["password_changed_at"]
    assert api.client.post("/api/v1/auth/logout", headers=headers).status_code == 200
    [revoked] = _events(app, access_changes.TOKEN_REVOKE, world.user[T3])
    token_id = issued.data["new"]["token_id"]
    assert revoked.data["old"] == {"token_id": token_id, "revoked_at": None}
    assert revoked.data["new"]["token_id"] == token_id and revoked.data["new"]["revoked_at"]
    _no_secret_in_any_event(app, PASSWORD, NEW_PASSWORD, token)
    with app.app_context():
        assert audit.verify_admin_chain() == []


def test_a_failed_login_issues_no_token_and_records_nothing(app, api, world):
    assert api.login(T3, "not-the-password").status_code == 401
    assert _events(app, access_changes.TOKEN_ISSUE, world.user[T3]) == []


def test_an_approved_first_enrolment_gives_the_trainee_role_and_is_recorded(app, api, world):
    trainee = make_trainee(app)
    enrolment = api.as_(NEW_TRAINEE_ID).post("/enrollments", json={
        "year": date.today().year, "unit_id": world.unit1, **ENROLMENT_PROFILE}).get_json()
    assert _events(app, access_changes.ROLE_CHANGE, trainee) == []  # submitted: nothing changed yet
    assert api.decide("unit_reviewer", enrolment["id"], "approve", record_type="enrollment").status_code == 200
    [event] = _events(app, access_changes.ROLE_CHANGE, trainee)
    assert (event.actor_id, event.process_key) == (world.user["unit_reviewer"], "enrollment")
    assert event.data == {"old": {"roles": []}, "new": {"roles": [["trainee", world.unit1]]},
                          "cause": {"record_type": "enrollment", "record_id": enrolment["id"]}}


def test_an_accepted_transfer_moves_the_trainee_role_and_is_recorded(app, api, world):
    start = _mark(app)
    transfer = api.as_("unit_reviewer_b").post("/transfers", json={
        "id_number": T3, "to_unit_id": world.unit1, "reason": "工作调动", "contact_name": "王经理",
        "contact_phone": "0571-88888888"}).get_json()
    assert _events(app, access_changes.ROLE_CHANGE, world.user[T3], start) == []  # filed: nothing changed yet
    assert api.decide("unit_reviewer", transfer["id"], "accept", record_type="transfer").status_code == 200
    [event] = _events(app, access_changes.ROLE_CHANGE, world.user[T3], start)
    assert (event.actor_id, event.process_key) == (world.user["unit_reviewer"], "staff_transfer")
    assert event.data == {"old": {"roles": [["trainee", world.unit2]]}, "new": {"roles": [["trainee", world.unit1]]},
                          "cause": {"record_type": "transfer", "record_id": transfer["id"]}}


def test_setting_the_unit_a_trainee_already_has_records_nothing(app, world):
    start = _mark(app)
    with app.app_context(), transaction():
        set_trainee_unit(world.user[T3], world.unit2)
    assert _events(app, since=start) == []


@pytest.mark.parametrize("values", [{"password": "x"}, {"new_password": "x"}, {"password_hash": "x"},
                                    {"token": "x"}, {"nested": {"access_token": "x"}},
                                    {"value": "pbkdf2:sha256:1000$salt$abc"}, {"list": ["scrypt:32768:8:1$a$b"]}])
def test_a_secret_is_never_recorded(app, world, values):
    with app.app_context(), pytest.raises(ValueError):
        access_changes.record_access_change(None, access_changes.ROLE_CHANGE, world.user[T3], new=values)


def test_a_password_reset_ends_sessions_and_tokens_and_is_recorded_without_the_password(app, api, world):
    from app.services.accounts import reset_password
    from app.services.actors import Actor
    token = api.login(T3).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/v1/me", headers=headers).status_code == 200
    with app.app_context(), transaction():
        admin = Actor.load(world.user["unit_admin"])
        temporary = reset_password(admin, db.session.get(User, world.user[T3]))
    assert len(temporary) == 10 and any(c.isdigit() for c in temporary)
    assert api.client.get("/api/v1/me", headers=headers).status_code == 401  # its token ended with it
    assert api.login(T3).status_code == 401
    again = api.login(T3, temporary)
    assert again.status_code == 200 and again.get_json()["must_change_password"] is True
    [reset] = _events(app, access_changes.PASSWORD_RESET, world.user[T3])
    assert reset.actor_id == world.user["unit_admin"]
    assert reset.data["old"]["must_change_password"] is False and reset.data["new"]["must_change_password"] is True
    assert reset.data["new"]["api_tokens_revoked"] == 1
    _no_secret_in_any_event(app, temporary)
    with app.app_context():
        assert audit.verify_admin_chain() == []
