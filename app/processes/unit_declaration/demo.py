"""Demo data: last year's declarations of one unit for its staff, one in each state."""
from __future__ import annotations

import io
from typing import Any

from PIL import Image
from sqlalchemy import select

from ...extensions import db
from ...models import Organisation, RoleAssignment, User
from ...services import accounts, runner
from ...services.actors import Actor
from .models import Declaration
from .service import AUTHORITY_ROLES, declare, demo_payload


def demo_proof() -> bytes:
    """A small real PNG (the proofs are checked by content)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (230, 230, 230)).save(out, "PNG")
    return out.getvalue()


def _declare(reviewer: User, person: User, year: int, hours: int, form: str = "post_training") -> Declaration:
    payload = demo_payload(person, year, hours, form)
    return declare(Actor.of(reviewer), payload, [(demo_proof(), "结业证书.png", "岗位培训结业证书")])[0]


def _decide(declaration: Declaration, reviewer: User, decision: str, comment: str | None = None) -> None:
    task = next(row for row in runner.open_tasks(declaration.instance_id) if not row.personal)
    runner.complete_task(task.id, Actor.of(reviewer), runner.DecisionForm(decision, comment))


def authority_reviewer(unit: Organisation) -> User:
    authority = unit.nearest("authority")
    return db.session.scalar(select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
        RoleAssignment.org_id == authority.id, RoleAssignment.role.in_(AUTHORITY_ROLES)).order_by(User.id).limit(1))


def load(world: Any) -> None:
    """One waiting, one refused, one approved (waiting for verification), one verified and one
    whose verification failed; all for last year, so this year's hours stay as the other demos left them."""
    unit = world.trainees[0][1]
    if db.session.scalar(select(Declaration.id).where(Declaration.unit_id == unit.id).limit(1)) is not None:
        return
    staff = [p for p, _org in world.trainees if accounts.trainee_unit(p.id) == unit.id]
    first, second = staff[0], staff[1 % len(staff)]
    unit_reviewer, reviewer, year = world.reviewer_of(unit), authority_reviewer(unit), world.year - 1
    _declare(unit_reviewer, first, year, 24)
    _decide(_declare(unit_reviewer, first, year, 16, "training_class"), reviewer, "reject",
            "结业证书不清晰，请重新上传。")
    _decide(_declare(unit_reviewer, second, year, 32), reviewer, "approve")
    verified = _declare(unit_reviewer, second, year, 40, "seminar")
    _decide(verified, reviewer, "approve")
    _decide(verified, reviewer, "pass")
    revoked = _declare(unit_reviewer, first, year, 8, "self_study")
    _decide(revoked, reviewer, "approve")
    _decide(revoked, reviewer, "fail", "审验发现学习记录与证明材料不符，请重新申报。")
