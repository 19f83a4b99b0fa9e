"""Browser sessions: who is logged in, in which role, and for how long.

The signed cookie holds a session id and the time of the last request. The id
names a ``web_session`` row, so logging out revokes the session on the server
(a copied cookie is dead too); the time ends the session after
``AUTH.SESSION_IDLE_SECONDS`` without a request. Pages act through an
``Actor`` narrowed to the role the person chose in the header: a reviewer who
also belongs to a second organisation sees one organisation's work at a time.
"""
from __future__ import annotations

import secrets
import time
from typing import Any

from flask import current_app, g, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ..extensions import db, login_manager
from ..models import GLOBAL_ROLES, User, WebSession, utcnow
from ..services.actors import Actor

ROLE_ORDER = ("trainee", "reviewer", "admin", "process_admin", "auditor", "sysadmin", "course_admin")


def idle_limit() -> int:
    return int(current_app.config["AUTH"]["SESSION_IDLE_SECONDS"])


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    sid = session.get("sid")
    seen = session.get("seen", 0)
    if not sid or time.time() - seen > idle_limit():
        return None
    row = db.session.execute(
        select(WebSession.revoked_at, WebSession.user_id).where(WebSession.id == sid)).first()
    if row is None or row.revoked_at is not None or str(row.user_id) != user_id:
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None


# What the person chose before logging in (or out) and keeps across it: the language.
KEPT_ACROSS_LOGIN = ("lang",)


def _clear() -> None:
    """A new session (no id of the old one survives), keeping the person's own choices."""
    kept = {key: session[key] for key in KEPT_ACROSS_LOGIN if key in session}
    session.clear()
    session.update(kept)


def start(user: User) -> None:
    sid = secrets.token_urlsafe(32)
    db.session.add(WebSession(id=sid, user_id=user.id))
    _clear()
    session.permanent = True
    session["sid"] = sid
    session["seen"] = time.time()
    login_user(user)
    session["role"] = default_role(Actor.of(user))


def end() -> None:
    sid = session.get("sid")
    if sid:
        row = db.session.get(WebSession, sid)
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
    logout_user()
    _clear()


def touch() -> None:
    """Count this request as activity (re-signs the cookie; no database write)."""
    if session.get("sid"):
        session["seen"] = time.time()


def expired() -> bool:
    return bool(session.get("sid")) and time.time() - session.get("seen", 0) > idle_limit()


# -- roles ------------------------------------------------------------------------

def role_key(role: str, org_id: int | None) -> str:
    return f"{role}:{org_id or ''}"


def parse_role(key: str | None) -> tuple[str, int | None] | None:
    if not key or ":" not in key:
        return None
    role, _sep, org = key.partition(":")
    return role, int(org) if org.isdigit() else None


def choices(actor: Actor) -> list[dict[str, Any]]:
    """The hats a person can wear, in a stable order, with their organisation names."""
    pairs = sorted(actor.roles, key=lambda p: (ROLE_ORDER.index(p[0]) if p[0] in ROLE_ORDER else 99,
                                               p[1] or 0))
    return [{"key": role_key(r, o), "role": r, "org_id": o, "org_name": actor.org_name(o)} for r, o in pairs]


def default_role(actor: Actor) -> str | None:
    options = choices(actor)
    if not options and actor.is_trainee:
        return role_key("trainee", None)  # registered, not yet enrolled anywhere
    return options[0]["key"] if options else None


def full_actor() -> Actor | None:
    """The logged-in person in all their roles, direct or from their organisation's own roles (cached
    per request: the header's role choices and the narrowed actor share the one query)."""
    if "web_full_actor" not in g:
        g.web_full_actor = Actor.of(current_user) if current_user.is_authenticated else None
    return g.web_full_actor


def actor() -> Actor | None:
    """The logged-in person, narrowed to the chosen role (cached per request)."""
    if "web_actor" in g:
        return g.web_actor
    result = None
    full = full_actor()
    if full is not None:
        chosen = parse_role(session.get("role"))
        if chosen not in full.roles and not (chosen and chosen[0] == "trainee" and full.is_trainee):
            chosen = parse_role(default_role(full))
        result = full.narrowed(frozenset({chosen}) if chosen else frozenset())
    g.web_actor = result
    return result


def active_role() -> str | None:
    current = actor()
    if current is None or not current.roles:
        return None
    return next(iter(current.roles))[0]


def is_global(role: str | None) -> bool:
    return role in GLOBAL_ROLES
