"""Credit-hour claims (学时登记) and the yearly windows inside which they are submitted."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...models import Organisation, User
from ...models.types import JSONType, UTCDateTime, utcnow

Hours = Numeric(6, 1)


class ClaimWindow(db.Model):
    """The dates inside which claims for ``year`` may be submitted (登记开放日期)."""

    __tablename__ = "claim_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)


class Claim(db.Model):
    __tablename__ = "claim"
    __table_args__ = (Index("ix_claim_trainee_year", "trainee_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    year: Mapped[int] = mapped_column(Integer)
    route: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    hours_requested: Mapped[Decimal] = mapped_column(Hours)
    hours_suggested: Mapped[Decimal] = mapped_column(Hours)
    hours_reviewed: Mapped[Decimal | None] = mapped_column(Hours)
    hours_registered: Mapped[Decimal | None] = mapped_column(Hours)
    status: Mapped[str] = mapped_column(String(40), default="")
    status_label: Mapped[str] = mapped_column(String(40), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    trainee: Mapped[User] = relationship(lazy="joined")
    # joined: every view of a claim (inbox summary, detail) names its unit
    unit: Mapped[Organisation | None] = relationship(foreign_keys=[unit_id], lazy="joined")
