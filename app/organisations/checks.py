"""The organisations' own consistency check (``flask --app app check``): departments hang together and
a removed unit lends nobody a role."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Department, Organisation, RoleAssignment
from .departments import MAX_DEPTH

NAME = "departments"
WHAT = ("each department's parent is a department of the same organisation, with no cycle, at most "
        f"{MAX_DEPTH} levels, no enabled one under a disabled one; a removed organisation holds no role")


def check(report: Any) -> None:
    rows = {row.id: row for row in db.session.execute(
        select(Department.id, Department.org_id, Department.parent_id, Department.is_active))}
    report.checked[NAME] += 0  # listed even with no department yet
    for row in rows.values():
        report.checked[NAME] += 1
        seen, node, depth = {row.id}, row, 1
        while node.parent_id is not None:
            parent = rows.get(node.parent_id)
            if parent is None or parent.org_id != row.org_id:
                report.add(None, NAME, f"department {row.id}: parent {node.parent_id} is not of organisation "
                                       f"{row.org_id}")
                break
            if parent.id in seen:
                report.add(None, NAME, f"department {row.id}: a cycle through {parent.id}")
                break
            if node is row and row.is_active and not parent.is_active:
                report.add(None, NAME, f"department {row.id} is enabled under disabled department {parent.id}")
            seen.add(parent.id)
            node, depth = parent, depth + 1
        if depth > MAX_DEPTH:
            report.add(None, NAME, f"department {row.id} is {depth} levels deep")
    held = db.session.execute(select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.org_id)
                              .join(Organisation, Organisation.id == RoleAssignment.org_id)
                              .where(Organisation.is_active.is_(False)))
    for user_id, role, org_id in held:
        report.add(None, NAME, f"user {user_id} holds {role} at removed organisation {org_id}")
