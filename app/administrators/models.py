"""An organisation's own roles (角色管理) and the rule that it has one super administrator.

``org_role`` is a role an organisation defines; ``org_role_module`` the permission modules it
carries (one row each, so the grant is a join, not JSON parsing in SQL); ``org_role_member`` who
holds it. What a module grants is code (``roles.MODULES``), not data.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import RoleAssignment
from ..models.types import UTCDateTime, utcnow

# Exactly one super administrator per organisation: a second ``super_admin`` row for the same
# organisation is refused by the database itself, whatever two requests do at once.
SUPER_ADMIN_INDEX = Index("uq_role_assignment_super_admin", RoleAssignment.__table__.c.org_id, unique=True,
                          sqlite_where=text("role = 'super_admin'"), postgresql_where=text("role = 'super_admin'"))


class OrgRole(db.Model):
    __tablename__ = "org_role"
    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_org_role_org_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    name: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrgRoleModule(db.Model):
    __tablename__ = "org_role_module"

    role_id: Mapped[int] = mapped_column(ForeignKey("org_role.id", ondelete="CASCADE"), primary_key=True)
    module: Mapped[str] = mapped_column(String(30), primary_key=True)


class OrgRoleMember(db.Model):
    __tablename__ = "org_role_member"

    role_id: Mapped[int] = mapped_column(ForeignKey("org_role.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
