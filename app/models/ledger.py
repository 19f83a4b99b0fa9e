"""The hours ledger: append-only rows; a correction is a reversal row, never an edit."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..domain import N_
from ..extensions import db
from .types import UTCDateTime, utcnow

CATEGORIES = ("professional", "public_general", "public_industry")
# Their words (seed 000: 专业科目, 一般公需科目, 行业公需科目), translated where shown.
CATEGORY_LABELS = {"professional": N_("专业科目"), "public_general": N_("一般公需科目"),
                   "public_industry": N_("行业公需科目")}

# A record credits a person at most once per category: a partial unique index over the credits
# (reversals excluded), so a service task that ran twice cannot count hours twice.
_CREDITS_ONLY = text("reverses_id IS NULL")


class HourEntry(db.Model):
    """Hours credited to a person for a year, from one source record (``source`` is its record type).

    One record may credit many people (a class credits every trainee who passed). A reversal
    (``reverses_id``) carries the negated hours of the entry it cancels, so sums stay right
    and the history stays whole.
    """

    __tablename__ = "hour_entry"
    __table_args__ = (
        Index("uq_hour_entry_credit", "source", "source_id", "user_id", "category", unique=True,
              sqlite_where=_CREDITS_ONLY, postgresql_where=_CREDITS_ONLY),
        Index("ix_hour_entry_user_year", "user_id", "year", "route"),
        Index("ix_hour_entry_source", "source", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[int] = mapped_column(Integer)
    route: Mapped[str | None] = mapped_column(String(20))
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    note: Mapped[str | None] = mapped_column(String(120))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("hour_entry.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
