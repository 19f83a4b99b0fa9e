"""Who is acting: a user plus the (role, organisation) pairs they hold."""
from __future__ import annotations

from dataclasses import dataclass

from ..models import GLOBAL_ROLES, User


@dataclass(frozen=True)
class Actor:
    user: User
    roles: frozenset[tuple[str, int | None]]

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user, frozenset((r.role, r.org_id) for r in user.roles))

    @property
    def id(self) -> int:
        return self.user.id

    def has(self, role: str, org_id: int | None = None) -> bool:
        return (role, org_id) in self.roles

    def holds(self, role: str) -> bool:
        return any(r == role for r, _ in self.roles)

    def orgs(self, role: str) -> set[int]:
        return {org for r, org in self.roles if r == role and org is not None}

    @property
    def is_trainee(self) -> bool:
        """Trainees log in with their resident ID number; staff accounts have none."""
        return self.user.id_number is not None

    @property
    def can_read_all_processes(self) -> bool:
        return any(self.holds(role) for role in GLOBAL_ROLES)

    def org_name(self, org_id: int | None) -> str | None:
        for assignment in self.user.roles:
            if assignment.org_id == org_id and assignment.org is not None:
                return assignment.org.name
        return None


SYSTEM_NAME = "系统"
