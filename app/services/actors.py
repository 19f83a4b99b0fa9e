"""Who is acting: a plain value with the (role, organisation) pairs a person holds.

Built once per request from a single query (``for_token``), so no ORM objects
or lazy loads ride along with it through the services.

The pairs come from ``role_assignment`` and from the *role sources* features add
(``add_role_source``): an organisation's own roles (角色管理) grant their members base roles
there, so lanes, candidates and pages keep asking for (role, organisation) pairs only. Every
source is one arm of a ``UNION ALL`` in the same one query.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select, union_all

from .. import prebuilt
from ..domain import N_
from ..extensions import db
from ..models import GLOBAL_ROLES, ApiToken, Organisation, RoleAssignment, User, utcnow

SYSTEM_NAME = N_("系统")  # stored in the event log as data; shown through label()


@dataclass(frozen=True)
class Actor:
    id: int
    name: str
    username: str
    id_number: str | None
    must_change_password: bool
    roles: frozenset[tuple[str, int | None]]
    org_names: dict[int, str] = field(default_factory=dict, compare=False, hash=False)
    org_kinds: dict[int, str] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def of(cls, user: User) -> Actor:
        """The person in every role they hold, from every role source (one query)."""
        rows = db.session.execute(_queries()[1], {"user_id": user.id}).all()
        return cls(user.id, user.name, user.username, user.id_number, user.must_change_password,
                   frozenset((r.role, r.org_id) for r in rows),
                   {r.org_id: r.org_name for r in rows if r.org_id is not None},
                   {r.org_id: r.org_kind for r in rows if r.org_id is not None})

    def narrowed(self, roles: frozenset[tuple[str, int | None]]) -> Actor:
        """The same person acting in some of their roles only (the pages: one chosen role)."""
        return Actor(self.id, self.name, self.username, self.id_number, self.must_change_password,
                     roles, self.org_names, self.org_kinds)

    @classmethod
    def load(cls, user_id: int) -> Actor:
        return cls.of(db.session.get(User, user_id))

    @property
    def user(self) -> User:
        """The ORM row, for the rare write to the account itself."""
        return db.session.get(User, self.id)

    def has(self, role: str, org_id: int | None = None) -> bool:
        return (role, org_id) in self.roles

    def holds(self, role: str) -> bool:
        return any(r == role for r, _org in self.roles)

    def orgs(self, role: str) -> set[int]:
        return {org for r, org in self.roles if r == role and org is not None}

    def staff_of(self, org_id: int | None, roles: tuple[str, ...] = ("reviewer", "admin")) -> bool:
        """Acts for organisation ``org_id`` in one of ``roles`` (its reviewers and administrators)."""
        return org_id is not None and any((role, org_id) in self.roles for role in roles)

    @property
    def is_trainee(self) -> bool:
        """Trainees log in with their resident ID number; staff accounts have none."""
        return self.id_number is not None

    @property
    def acts_as_trainee(self) -> bool:
        """Holds the trainee hat now (or is a trainee with no organisation yet)."""
        return self.holds("trainee") or (self.is_trainee and not self.roles)

    @property
    def can_read_all_processes(self) -> bool:
        return any(self.holds(role) for role in GLOBAL_ROLES)

    @property
    def reads_only(self) -> bool:
        """Acts in global roles only (process administrator, auditor…): reads every record, changes none."""
        return bool(self.roles) and all(role in GLOBAL_ROLES for role, _org in self.roles)

    def org_name(self, org_id: int | None) -> str | None:
        return self.org_names.get(org_id) if org_id is not None else None


# A role source: given the SQL expression of a user id, a select of ``(user_id, role, org_id)`` rows.
RoleSource = Callable[[Any], Select[Any]]
_ROLE_SOURCES: dict[str, RoleSource] = {}
_BUILT: dict[tuple[str, ...], tuple[Any, Any]] = {}


def add_role_source(name: str, source: RoleSource) -> None:
    """Let ``source`` give people (role, organisation) pairs beside ``role_assignment`` (idempotent)."""
    _ROLE_SOURCES[name] = source


def _held(user_id: Any) -> Any:
    arms = [select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.org_id)
            .where(RoleAssignment.user_id == user_id),
            *(source(user_id) for source in _ROLE_SOURCES.values())]
    return (union_all(*arms) if len(arms) > 1 else arms[0]).subquery("held")


def _queries() -> tuple[Any, Any]:
    """The token query and the one user's roles query, built once per set of role sources: every API
    request runs the first, and statement construction is most of its cost."""
    key = tuple(_ROLE_SOURCES)
    if key not in _BUILT:
        token_user = select(ApiToken.user_id).where(ApiToken.token_hash == bindparam("token_hash")).scalar_subquery()
        held = _held(token_user)
        token = (
            select(User.id, User.name, User.username, User.id_number, User.must_change_password,
                   held.c.role, held.c.org_id, Organisation.name.label("org_name"),
                   Organisation.kind.label("org_kind"))
            .join(ApiToken, ApiToken.user_id == User.id)
            .outerjoin(held, held.c.user_id == User.id)
            .outerjoin(Organisation, Organisation.id == held.c.org_id)
            .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
                   ApiToken.expires_at > bindparam("now", type_=ApiToken.expires_at.type),
                   User.is_active.is_(True)))
        mine = _held(bindparam("user_id"))
        own = (select(mine.c.role, mine.c.org_id, Organisation.name.label("org_name"),
                      Organisation.kind.label("org_kind"))
               .select_from(mine).outerjoin(Organisation, Organisation.id == mine.c.org_id))
        _BUILT[key] = (token, own)
    return _BUILT[key]


def for_token_hash(token_hash: str, now: datetime | None = None) -> Actor | None:
    """The actor behind a live API token, in one round trip; None if unknown, expired or revoked.

    Run on the session's connection, not through the ORM session (plain rows, and the first
    statement of an API request: nothing is pending to flush), which saves ~85 Python calls
    on every API request; ``prebuilt`` saves ~28 more."""
    rows = prebuilt.execute(db.session.connection(), _queries()[0],
                            {"token_hash": token_hash, "now": now or utcnow()}).all()
    if not rows:
        return None
    first = rows[0]
    roles = frozenset((r.role, r.org_id) for r in rows if r.role is not None)
    org_names = {r.org_id: r.org_name for r in rows if r.org_id is not None}
    org_kinds = {r.org_id: r.org_kind for r in rows if r.org_id is not None}
    return Actor(first.id, first.name, first.username, first.id_number, first.must_change_password,
                 roles, org_names, org_kinds)
