"""Organisations as the processes name them when a record is filed for one."""
from __future__ import annotations

from sqlalchemy import bindparam, select

from ..extensions import db
from ..models import Organisation

_ACTIVE_UNIT = (select(Organisation)  # built once: every record filed for a unit reads it
                .where(Organisation.id == bindparam("unit_id")).with_for_update(read=True)
                .execution_options(populate_existing=True))


def active_unit(org_id: int | None) -> Organisation | None:
    """The unit ``org_id`` if it is an active unit, read under a share lock (PostgreSQL; SQLite runs
    one writer at a time): filing a record for a unit and removing the unit (which locks it for
    update, then counts the people, tasks and processes that still involve it) happen one after the
    other, so a unit is never removed with a record just filed for it, nor a record filed for a unit
    just removed."""
    if org_id is None:
        return None
    org = db.session.scalars(_ACTIVE_UNIT, {"unit_id": org_id}).first()
    return org if org is not None and org.kind == "unit" and org.is_active else None
