"""What the people tools keep: each import attempt (with a refused file's problems, for its error
report). The details an import declares live with the person (``models.PersonDetail``)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models.types import JSONType, UTCDateTime, utcnow


class StaffImport(db.Model):
    """One uploaded staff file (批量导入): imported whole, or refused whole with every bad row."""

    __tablename__ = "staff_import"
    __table_args__ = (Index("ix_staff_import_org_at", "org_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20))  # imported / refused
    rows: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    bad_rows: Mapped[int] = mapped_column(Integer, default=0)
    # A refused file's rows: [{"row", "values": [...], "problems": [{"field", "message"}]}]
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
