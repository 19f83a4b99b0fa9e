"""A supplementary claim for last year (学时增补) and its entries."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...models import Organisation, User
from ...models.types import UTCDateTime, utcnow

Hours = Numeric(6, 1)


class Supplementary(db.Model):
    __tablename__ = "supplementary_claim"
    __table_args__ = (Index("ix_supplementary_claim_trainee_year", "trainee_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    year: Mapped[int] = mapped_column(Integer)  # the year supplemented: last year when asked
    route: Mapped[str] = mapped_column(String(20))
    consent: Mapped[str] = mapped_column(String(10), default="")  # "", "agreed" or "refused"
    status: Mapped[str] = mapped_column(String(40), default="")
    status_label: Mapped[str] = mapped_column(String(40), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))  # 学时办
    province_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))  # 省级备案
    hours_total: Mapped[Decimal] = mapped_column(Hours, default=Decimal("0.0"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    trainee: Mapped[User] = relationship(lazy="joined")
    unit: Mapped[Organisation] = relationship(foreign_keys=[unit_id], lazy="joined")
    entries: Mapped[list[SupplementaryEntry]] = relationship(
        back_populates="claim", order_by="SupplementaryEntry.id", cascade="all, delete-orphan")


class SupplementaryEntry(db.Model):
    """One item supplemented: what it was, when, and its hours."""

    __tablename__ = "supplementary_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("supplementary_claim.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Hours)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    claim: Mapped[Supplementary] = relationship(back_populates="entries")
