"""A change to an organisation that its parent(s) must approve."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...models import Organisation, User
from ...models.types import UTCDateTime, utcnow

PARENT = "parent"  # the kinds of change (信息修改类型): 更换上级部门
INFO = "info"  # 修改单位信息: the name and/or the unified social credit code


class UnitChange(db.Model):
    __tablename__ = "unit_change"
    __table_args__ = (
        Index("ix_unit_change_org", "org_id", "id"),
        Index("ix_unit_change_old_parent", "old_parent_id", "id"),
        Index("ix_unit_change_new_parent", "new_parent_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(20), default=PARENT)
    old_parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    new_parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    reason: Mapped[str] = mapped_column(String(200))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[str] = mapped_column(String(40), default="")
    status_label: Mapped[str] = mapped_column(String(60), default="")
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the change took effect
    # kind INFO: the name and code when asked, and the ones asked for (None: that one stays)
    old_name: Mapped[str | None] = mapped_column(String(120))
    new_name: Mapped[str | None] = mapped_column(String(120))
    old_code: Mapped[str | None] = mapped_column(String(40))
    new_code: Mapped[str | None] = mapped_column(String(40))

    org: Mapped[Organisation] = relationship(foreign_keys=[org_id], lazy="joined")
    old_parent: Mapped[Organisation | None] = relationship(foreign_keys=[old_parent_id], lazy="joined")
    new_parent: Mapped[Organisation | None] = relationship(foreign_keys=[new_parent_id], lazy="joined")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="joined")
