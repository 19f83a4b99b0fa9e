"""A staff transfer (人员调转) from one unit to another."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...models import Organisation, User
from ...models.types import UTCDateTime, utcnow


class StaffTransfer(db.Model):
    __tablename__ = "staff_transfer"
    __table_args__ = (
        Index("ix_staff_transfer_person", "person_id"),
        Index("ix_staff_transfer_from_unit", "from_unit_id", "id"),
        Index("ix_staff_transfer_to_unit", "to_unit_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    reason: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(30))
    contact_phone: Mapped[str] = mapped_column(String(20))
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[str] = mapped_column(String(40), default="")
    status_label: Mapped[str] = mapped_column(String(40), default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the person changed unit

    person: Mapped[User] = relationship(foreign_keys=[person_id], lazy="joined")
    from_unit: Mapped[Organisation] = relationship(foreign_keys=[from_unit_id], lazy="joined")
    to_unit: Mapped[Organisation] = relationship(foreign_keys=[to_unit_id], lazy="joined")
