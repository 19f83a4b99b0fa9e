"""Files attached to a record (proofs of a claim, a transfer's letter…), whatever its process."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class Attachment(db.Model):
    """One stored file: its blob lives in the storage backend under ``storage_key``."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40), default="")  # what it is, where a process names kinds
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    filename: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(60))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
