"""忘记密码: whom to ask. There is no e-mail or SMS: a person who forgot their password asks their
unit's administrators, who reset it (专业技术人员信息查询 → 重置密码).

Given a username or ID number, the answer is the person's unit and its administrators' names, and
nothing more (no phone, no ID, not whether the account is active). An unknown name, or an account
in no unit, gets an answer of the same shape saying whom to ask in general. Look-ups are throttled
as logins are (per name asked about and per address), and every look-up is kept for that count.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..models import Organisation, RoleAssignment, User
from ..services import accounts, throttle

ADMIN_ROLES = ("super_admin", "admin")
MAX_NAMES = 5


@dataclass(frozen=True)
class Answer:
    unit: str | None = None  # None: no unit to name (unknown name, or in no unit)
    admins: list[str] = field(default_factory=list)


def _org_of(user: User) -> int | None:
    """The person's unit as a trainee, else the organisation they work for."""
    rows = db.session.execute(select(RoleAssignment.role, RoleAssignment.org_id).where(
        RoleAssignment.user_id == user.id, RoleAssignment.org_id.is_not(None)).order_by(RoleAssignment.id)).all()
    trainee = [org for role, org in rows if role == "trainee"]
    return trainee[0] if trainee else (rows[0][1] if rows else None)


def look_up(username: str, ip: str = "") -> Answer:
    key = (username or "").strip().upper()[:64]
    ip = (ip or "")[:45]
    throttle.attempt("password_help", ip, key)
    user = accounts.find_user(username) if key else None
    org_id = _org_of(user) if user is not None else None
    org = db.session.get(Organisation, org_id) if org_id else None
    if org is None:
        return Answer()
    names = db.session.scalars(
        select(User.name).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.org_id == org.id, RoleAssignment.role.in_(ADMIN_ROLES), User.is_active.is_(True),
               User.id != user.id)
        .group_by(User.id, User.name).order_by(User.name).limit(MAX_NAMES)).all()
    return Answer(unit=org.name, admins=list(names))
