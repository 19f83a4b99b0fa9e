"""A unit's registration (用人单位注册) waiting for, or decided by, its parent authority."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...models import Organisation, User
from ...models.types import UTCDateTime, utcnow

PENDING = "pending"
_PENDING_ONLY = text("status = 'pending'")


class UnitRegistration(db.Model):
    __tablename__ = "unit_registration"
    __table_args__ = (
        Index("ix_unit_registration_parent", "parent_id", "id"),
        Index("ix_unit_registration_applicant", "applicant_id", "id"),
        # Two registrations waiting at once may not claim the same code or name (a race included).
        Index("uq_unit_registration_pending_code", "credit_code", unique=True,
              sqlite_where=_PENDING_ONLY, postgresql_where=_PENDING_ONLY),
        Index("uq_unit_registration_pending_name", "name", unique=True,
              sqlite_where=_PENDING_ONLY, postgresql_where=_PENDING_ONLY),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    unit_type: Mapped[str] = mapped_column(String(20))
    industry: Mapped[str] = mapped_column(String(40))
    credit_code: Mapped[str] = mapped_column(String(18))
    parent_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))  # the unit, once approved
    # Why approving created nothing (another organisation took the name or code meanwhile)
    conflict: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(40), default=PENDING)
    status_label: Mapped[str] = mapped_column(String(60), default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    parent: Mapped[Organisation] = relationship(foreign_keys=[parent_id], lazy="joined")
    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id], lazy="joined")
    org: Mapped[Organisation | None] = relationship(foreign_keys=[org_id])
