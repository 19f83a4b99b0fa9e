"""A unit's declaration of one person's hours (单位学时申报)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...models import Organisation, User
from ...models.types import UTCDateTime, utcnow

Hours = Numeric(6, 1)


class Declaration(db.Model):
    __tablename__ = "declaration"
    __table_args__ = (
        Index("ix_declaration_unit", "unit_id", "id"),
        Index("ix_declaration_authority", "authority_id", "id"),
        Index("ix_declaration_person", "person_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    authority_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    declared_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    year: Mapped[int] = mapped_column(Integer)
    learning_form: Mapped[str] = mapped_column(String(30))
    school: Mapped[str | None] = mapped_column(String(100))
    class_name: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[str | None] = mapped_column(String(500))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    score: Mapped[str | None] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(20))  # a ledger category
    hours: Mapped[Decimal] = mapped_column(Hours)
    hours_recognised: Mapped[Decimal | None] = mapped_column(Hours)  # 认定学时, set on approval
    status: Mapped[str] = mapped_column(String(40), default="")
    status_label: Mapped[str] = mapped_column(String(40), default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a failed verification

    person: Mapped[User] = relationship(foreign_keys=[person_id], lazy="joined")
    unit: Mapped[Organisation] = relationship(foreign_keys=[unit_id], lazy="joined")
    authority: Mapped[Organisation] = relationship(foreign_keys=[authority_id], lazy="joined")
