"""Organisations, people and their roles."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

ORG_KINDS = ("authority", "unit", "provider", "supervisor", "hr")
# course_admin: 课程管理员, manages the online courses (global: no organisation; reads no process)
# super_admin: 超级管理员 of an organisation, held beside admin by exactly one of its administrators
ROLES = ("trainee", "reviewer", "admin", "super_admin", "process_admin", "auditor", "sysadmin", "course_admin")
UNIT_TYPES = ("机关", "事业单位", "企业", "社会团体", "其他")
GLOBAL_ROLES = ("process_admin", "auditor", "sysadmin")


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[str | None] = mapped_column(String(20))
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    # A prefecture-level provider's HR department (地州人社局), which files its classes; national and
    # provincial providers are filed by the provincial one.
    hr_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    # A unit's type (UNIT_TYPES) and industry, as it registered them; None for other kinds.
    unit_type: Mapped[str | None] = mapped_column(String(20))
    industry: Mapped[str | None] = mapped_column(String(40))
    # False once its authority removed it (管理下级单位 → 删除): kept for the records that name it.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], foreign_keys=[parent_id])

    def nearest(self, kind: str) -> Organisation | None:
        """The closest ancestor of ``kind`` (not counting this organisation)."""
        node = self.parent
        while node is not None and node.kind != kind:
            node = node.parent
        return node

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.name}>"


class User(db.Model):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(60))
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The internal department (内设部门) of the person's unit they work in, if the unit keeps them.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)

    roles: Mapped[list[RoleAssignment]] = relationship(back_populates="user",
                                                       cascade="all, delete-orphan")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"


class Department(db.Model):
    """An internal department (内设部门) of an organisation; departments nest (sub-departments)."""

    __tablename__ = "department"
    __table_args__ = (Index("ix_department_org_parent", "org_id", "parent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    name: Mapped[str] = mapped_column(String(60))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Department {self.id} {self.name} of {self.org_id}>"


class PersonDetail(db.Model):
    """A person's highest education and professional title in force (the person query's filters):
    declared by a staff import, then by each approved enrolment of the current year and each
    approved change of details (``accounts.declare_details``)."""

    __tablename__ = "person_detail"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    education: Mapped[str | None] = mapped_column(String(20), index=True)
    title: Mapped[str | None] = mapped_column(String(20), index=True)


class RoleAssignment(db.Model):
    __tablename__ = "role_assignment"
    __table_args__ = (
        UniqueConstraint("user_id", "org_id", "role", name="uq_role_assignment_user_org_role"),
        Index("ix_role_assignment_org_role", "org_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="roles")
    org: Mapped[Organisation | None] = relationship(lazy="joined")
