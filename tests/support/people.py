"""Extra people for tests: resident ID numbers and accounts created straight in the database."""
from __future__ import annotations

from collections.abc import Iterable

from flask import Flask

from app.domain.idnumber import check_digit
from app.extensions import db
from app.models import RoleAssignment, User
from app.services.accounts import hash_password

from .world import PASSWORD


def resident_id(first17: str) -> str:
    """A valid 18-character resident ID number (17 digits + the MOD 11-2 check character)."""
    assert len(first17) == 17 and first17.isdigit(), first17
    return first17 + check_digit(first17)


# Born 1949-12-31 and 1988-08-08 in Beijing; neither collides with the demo trainees.
NEW_TRAINEE_ID = resident_id("11010519491231002")
OTHER_TRAINEE_ID = resident_id("11010219880808123")


def make_user(app: Flask, username: str, name: str, *, id_number: str | None = None,
              password: str = PASSWORD, must_change_password: bool = False,
              roles: Iterable[tuple[str, int | None]] = ()) -> int:
    """Create (and commit) an account; returns its id."""
    with app.app_context():
        user = User(username=username, name=name, id_number=id_number,
                    password_hash=hash_password(password), must_change_password=must_change_password)
        for role, org_id in roles:
            user.roles.append(RoleAssignment(role=role, org_id=org_id))
        db.session.add(user)
        db.session.commit()
        return user.id


def make_trainee(app: Flask, id_number: str = NEW_TRAINEE_ID, name: str = "赵敏", **kwargs) -> int:
    """A trainee account as the seeds make them: the ID number is the username."""
    return make_user(app, id_number, name, id_number=id_number, **kwargs)


ENROLMENT_PROFILE = {"identity_type": "国有企业", "political_status": "群众", "education": "大学本科",
                     "title": "工程师", "title_date": "2018-06-30", "specialty": "公路工程"}
