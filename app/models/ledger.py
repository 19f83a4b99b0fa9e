"""The hours ledger: one row per credited source, never edited in place."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

CATEGORIES = ("professional", "public_general", "public_industry")
SOURCES = ("claim", "online", "class", "unit_declared")


class HourEntry(db.Model):
    __tablename__ = "hour_entry"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_hour_entry_source"),
        Index("ix_hour_entry_user_year", "user_id", "year", "route"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int] = mapped_column(Integer)
    route: Mapped[str | None] = mapped_column(String(20))
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    note: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
