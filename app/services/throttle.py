"""Throttling what anyone may do without logging in: 忘记密码 look-ups, registrations of trainees
and units. Each attempt is kept (``public_attempt``, even when the request then fails), and a
kind of attempt is refused (429 with ``Retry-After``) once the name asked about, or the address,
reached its limit within the window. Logins have their own count (``accounts.authenticate``:
failures only), with the same window.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from ..db import persist_even_if_refused
from ..errors import TooManyAttempts
from ..extensions import db
from ..i18n import _
from ..models import PublicAttempt, utcnow


def _count(kind: str, column: object, value: str, since: object) -> int:
    return db.session.scalar(select(func.count(PublicAttempt.id)).where(
        PublicAttempt.kind == kind, column == value, PublicAttempt.at >= since)) or 0  # type: ignore[operator]


def attempt(kind: str, ip: str, key: str = "", *, per_key: int | None = None, per_ip: int | None = None,
            kept_if_refused: bool = True) -> None:
    """Count one attempt of ``kind`` from ``ip`` (about ``key``, if given), or refuse it if either limit
    is reached within ``AUTH.LOGIN_WINDOW_SECONDS`` (limits default to the login ones). With
    ``kept_if_refused`` False the attempt counts only if the request succeeds (a registration: what
    is limited is the accounts made, and a refused one made none)."""
    cfg = current_app.config["AUTH"]
    window = int(cfg["LOGIN_WINDOW_SECONDS"])
    since = utcnow() - timedelta(seconds=window)
    key, ip = (key or "").strip().upper()[:64], (ip or "")[:45]
    per_key = int(cfg["MAX_FAILED_LOGINS"]) if per_key is None else per_key
    per_ip = int(cfg["MAX_FAILED_LOGINS_PER_IP"]) if per_ip is None else per_ip
    if kept_if_refused:
        persist_even_if_refused()
    if (key and _count(kind, PublicAttempt.key, key, since) >= per_key) \
            or (ip and _count(kind, PublicAttempt.ip, ip, since) >= per_ip):
        raise TooManyAttempts(_("Too many attempts; try again in %(minutes)s minutes.", minutes=max(1, window // 60)),
                              headers={"Retry-After": str(window)})
    db.session.add(PublicAttempt(kind=kind, key=key, ip=ip))


def registration(ip: str) -> None:
    """An account anyone makes without logging in (a trainee's, a unit's first administrator's)."""
    attempt("register", ip, per_ip=int(current_app.config["AUTH"]["MAX_REGISTRATIONS_PER_IP"]),
            kept_if_refused=False)
