"""Accounts: password hashing, login, API tokens and the first-login password change.

Creating an account, changing a password or a trainee's unit, issuing and revoking a token are
each an administrative audit event with the values before and after (``access_changes``).
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import persist_even_if_refused, read
from ..domain import idnumber
from ..domain.text import control_characters
from ..errors import Conflict, Invalid, TooManyAttempts, Unauthorized
from ..extensions import db
from ..i18n import _
from ..models import ApiToken, LoginAttempt, PersonDetail, RoleAssignment, User, WebSession, utcnow
from . import access_changes
from .actors import Actor, for_token_hash

PHONE = re.compile(r"^1\d{10}$")

# Checked against when the username is unknown, so both failures cost the same time.
_DUMMY_HASHES: dict[str, str] = {}


def _method() -> str:
    return current_app.config["AUTH"]["PASSWORD_METHOD"]


def _dummy_hash() -> str:
    method = _method()
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("timing-equaliser", method=method)
    return _DUMMY_HASHES[method]


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_method())


def initial_password(id_number: str) -> str:
    """The seeds' initial password: the last six characters of the ID number."""
    return idnumber.normalise(id_number)[-6:]


def find_user(username: str) -> User | None:
    username = (username or "").strip()
    if idnumber.is_valid(username):
        username = idnumber.normalise(username)
    return db.session.scalar(select(User).where(User.username == username))


def _recent_failures(column: Any, value: str, since: datetime) -> int:
    last_success = db.session.scalar(select(func.max(LoginAttempt.at)).where(
        column == value, LoginAttempt.success.is_(True), LoginAttempt.at >= since))
    return db.session.scalar(select(func.count(LoginAttempt.id)).where(
        column == value, LoginAttempt.success.is_(False),
        LoginAttempt.at >= max(since, last_success) if last_success else LoginAttempt.at >= since)) or 0


def authenticate(username: str, password: str, ip: str = "") -> User:
    """Return the user, or raise one message for every failure; throttle guessers.

    After ``MAX_FAILED_LOGINS`` failures for an account (or many from one
    address) within the window, further attempts are refused until it passes,
    right password or not. Attempts are recorded even though the answer is an
    error, so the count holds across requests and workers.
    """
    cfg = current_app.config["AUTH"]
    key = (username or "").strip().upper()[:64]
    ip = (ip or "")[:45]
    since = utcnow() - timedelta(seconds=int(cfg["LOGIN_WINDOW_SECONDS"]))
    persist_even_if_refused()
    if (_recent_failures(LoginAttempt.username, key, since) >= int(cfg["MAX_FAILED_LOGINS"])
            or (ip and _recent_failures(LoginAttempt.ip, ip, since) >= int(cfg["MAX_FAILED_LOGINS_PER_IP"]))):
        db.session.add(LoginAttempt(username=key, ip=ip, success=False))
        window = int(cfg["LOGIN_WINDOW_SECONDS"])
        raise TooManyAttempts(_("Too many failed logins; try again in %(minutes)s minutes.",
                                minutes=max(1, window // 60)), headers={"Retry-After": str(window)})
    user = find_user(username)
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        ok = False
    else:
        ok = check_password_hash(user.password_hash, password or "") and user.is_active
    db.session.add(LoginAttempt(username=key, ip=ip, success=ok))
    if not ok:
        raise Unauthorized(_("Wrong username or password."), code="bad_credentials")
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _as_self(user: User) -> Actor:
    """The account acting on itself (its roles are not needed to say who did it)."""
    return Actor(user.id, user.name, user.username, user.id_number, user.must_change_password, frozenset())


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def issue_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    ttl = int(current_app.config["AUTH"]["TOKEN_TTL_SECONDS"])
    row = ApiToken(user_id=user.id, token_hash=_digest(token), expires_at=utcnow() + timedelta(seconds=ttl))
    db.session.add(row)
    db.session.flush()
    access_changes.record_access_change(_as_self(user), access_changes.TOKEN_ISSUE, user.id,
                                        new={"token_id": row.id, "expires_at": _when(row.expires_at)})
    return token


def actor_for_token(token: str) -> Actor | None:
    return for_token_hash(_digest(token))


def revoke_token(token: str, actor: Actor | None = None) -> None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        access_changes.record_access_change(actor, access_changes.TOKEN_REVOKE, row.user_id,
                                            old={"token_id": row.id, "revoked_at": None},
                                            new={"token_id": row.id, "revoked_at": _when(row.revoked_at)})


def password_problems(user: User, password: str) -> list[str]:
    minimum = int(current_app.config["AUTH"]["MIN_PASSWORD_LENGTH"])
    problems = []
    if len(password) < minimum:
        problems.append(_("At least %(n)s characters.", n=minimum))
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        problems.append(_("Use both letters and digits."))
    if password == user.username or (user.id_number and password == initial_password(user.id_number)):
        problems.append(_("It may not equal the username or the initial password."))
    return problems


def change_password(user: User, old: str, new: str) -> None:
    if not check_password_hash(user.password_hash, old or ""):
        raise Invalid(_("The current password is wrong."), code="invalid",
                      fields={"old_password": [_("Wrong password.")]})
    problems = password_problems(user, new or "")
    if check_password_hash(user.password_hash, new or ""):
        problems.append(_("It must differ from the current password."))
    if problems:
        raise Invalid(_("Choose a stronger password."), code="weak_password", fields={"new_password": problems})
    before = {"must_change_password": user.must_change_password, "password_changed_at": _when(user.password_changed_at)}
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    access_changes.record_access_change(_as_self(user), access_changes.PASSWORD_CHANGE, user.id, old=before, new={
        "must_change_password": False, "password_changed_at": _when(user.password_changed_at)})


# A temporary password's characters: no 0/O, 1/l/I that read alike when it is passed on aloud.
_TEMPORARY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"


def temporary_password() -> str:
    """Ten random characters with letters and digits (``password_problems`` accepts it)."""
    while True:
        value = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(10))
        if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
            return value


def reset_password(actor: Actor, user: User) -> str:
    """An administrator resets ``user``'s password: a temporary one, returned to be passed on once
    (shown, never stored in clear), which must be changed at the next login. Every session and API
    token of the person ends. Whether ``actor`` may do so is the caller's check."""
    password = temporary_password()
    before = {"must_change_password": user.must_change_password, "password_changed_at": _when(user.password_changed_at)}
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.password_changed_at = utcnow()
    now = utcnow()
    ended_sessions = db.session.execute(update(WebSession).where(
        WebSession.user_id == user.id, WebSession.revoked_at.is_(None)).values(revoked_at=now)).rowcount
    ended_tokens = db.session.execute(update(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)).rowcount
    access_changes.record_access_change(actor, access_changes.PASSWORD_RESET, user.id, old=before, new={
        "must_change_password": True, "password_changed_at": _when(user.password_changed_at),
        "sessions_ended": ended_sessions, "api_tokens_revoked": ended_tokens})
    return password


def declare_details(user_id: int, *, education: str | None = None, title: str | None = None) -> None:
    """The person's education and title in force from now on (what is given; the rest stays)."""
    row = db.session.get(PersonDetail, user_id)
    if row is None:
        row = PersonDetail(user_id=user_id)
        db.session.add(row)
    if education is not None:
        row.education = education
    if title is not None:
        row.title = title


def register_trainee(id_number: str, name: str, phone: str | None = None) -> User:
    """Self-registration (学员注册, seed 000 §2.1).

    The username is the resident ID number, checked digit by digit; the initial
    password is its last six characters, and it must be changed at first login.
    """
    id_number = idnumber.normalise(id_number)
    errors: dict[str, list[str]] = {}
    if not idnumber.is_valid(id_number):
        errors["id_number"] = [_("Not a valid resident ID number.")]
    name = (name or "").strip()
    if not 2 <= len(name) <= 30 or control_characters(name):
        errors["name"] = [_("Your real name, 2 to 30 characters.")]
    if phone and not PHONE.match(phone):
        errors["phone"] = [_("An 11-digit mobile number.")]
    if errors:
        raise Invalid(_("Some registration details are wrong."), code="invalid", fields=errors)
    if db.session.scalar(select(User.id).where(User.username == id_number)) is not None:
        raise Conflict(_("This ID number is already registered; log in instead."), code="already_registered")
    user = User(username=id_number, id_number=id_number, name=name, phone=phone or None,
                password_hash=hash_password(initial_password(id_number)), must_change_password=True)
    db.session.add(user)
    db.session.flush()
    access_changes.record_access_change(_as_self(user), access_changes.REGISTER, user.id, new={
        "username": user.username, "name": user.name, "must_change_password": True, "roles": []})
    return user


_TRAINEE_OF = select(RoleAssignment.id).where(  # built once: every move of a person asks it
    RoleAssignment.user_id == bindparam("trainee_user"), RoleAssignment.role == "trainee",
    RoleAssignment.org_id == bindparam("trainee_unit"))


def set_trainee_unit(user_id: int, unit_id: int, actor: Actor | None = None, *, process_key: str | None = None,
                     cause: dict[str, Any] | None = None) -> None:
    """The person is a trainee of ``unit_id`` from now on, and of no other unit (a role change,
    recorded if it changes anything; ``cause`` names the record whose process made it)."""
    with access_changes.roles_changing(actor, user_id, process_key=process_key, cause=cause):
        db.session.execute(delete(RoleAssignment).where(
            RoleAssignment.user_id == user_id, RoleAssignment.role == "trainee", RoleAssignment.org_id != unit_id))
        if read(_TRAINEE_OF, {"trainee_user": user_id, "trainee_unit": unit_id}).first() is None:
            db.session.add(RoleAssignment(user_id=user_id, org_id=unit_id, role="trainee"))


def trainee_unit(user_id: int) -> int | None:
    """The unit the person currently belongs to as a trainee."""
    return read(_TRAINEE_UNIT, {"trainee_user": user_id}).scalar()


_TRAINEE_UNIT = (select(RoleAssignment.org_id)  # built once: every filing for a person asks it
                 .where(RoleAssignment.user_id == bindparam("trainee_user"), RoleAssignment.role == "trainee")
                 .order_by(RoleAssignment.id).limit(1))
