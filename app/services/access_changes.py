"""Changes of who can do what, as administrative audit events with their old and new values.

Every path that creates an account, changes a password, gives or takes a role, or issues or
revokes an API token records one event here (``record_admin_event``: no instance's chain, the
administrative one), about the account (``record_type`` ``user``). Administration pages to
come (role assignment, password resets, deactivation) use the same helpers.

What is recorded is what changed, never a secret: a value under a key that names a password,
a hash or a token, or that looks like a password hash, is refused (a bug, not a user error).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import bindparam, select

from ..db import read
from ..models import RoleAssignment
from .actors import Actor
from .audit import record_admin_event, record_admin_events

USER = "user"
# The actions recorded (words for them: ``labels.ACTIONS``).
REGISTER, PASSWORD_CHANGE, ROLE_CHANGE = "account_register", "password_change", "role_change"
PASSWORD_RESET = "password_reset"  # noqa: S105 - an action's name, not a password
TOKEN_ISSUE, TOKEN_REVOKE = "token_issue", "token_revoke"

_SECRET_KEY = re.compile(r"^(old_|new_)?password$|hash$|secret|^(access_)?token$", re.IGNORECASE)
_HASH_VALUE = re.compile(r"^(pbkdf2|scrypt|argon2|bcrypt)[:$]|^\$2[aby]\$")


def _refuse_secrets(value: Any, path: str = "") -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if _SECRET_KEY.search(str(key)):
                raise ValueError(f"an access change may not record {path}{key}")
            _refuse_secrets(inner, f"{path}{key}.")
    elif isinstance(value, list | tuple):
        for inner in value:
            _refuse_secrets(inner, path)
    elif isinstance(value, str) and _HASH_VALUE.search(value):
        raise ValueError(f"an access change may not record a password hash ({path.rstrip('.') or 'value'})")


def record_access_change(actor: Actor | None, action: str, user_id: int, *, old: dict[str, Any] | None = None,
                         new: dict[str, Any] | None = None, process_key: str | None = None,
                         data: dict[str, Any] | None = None, comment: str | None = None) -> str:
    """Record that ``actor`` changed what account ``user_id`` may do.

    ``old`` and ``new`` are the values before and after (JSON values); ``process_key`` and
    ``data`` say what caused it when a process did (``{"cause": {"record_type": …}}``).
    """
    for part in (old, new, data):
        _refuse_secrets(part)
    return record_admin_event(actor, action, record_type=USER, record_id=user_id, process_key=process_key,
                              old=old, new=new, data=data, comment=comment)


def record_access_changes(actor: Actor | None, action: str, changes: list[dict[str, Any]]) -> int:
    """``record_access_change`` for many accounts at once (a bulk import): each change a dict with
    ``user_id`` and its ``old`` / ``new`` / ``data``; one event per account, appended in one go."""
    for change in changes:
        for part in (change.get("old"), change.get("new"), change.get("data")):
            _refuse_secrets(part)
    return record_admin_events(actor, action, [{**change, "record_id": change["user_id"]} for change in changes],
                               record_type=USER)


# Built once: every role change reads the roles before and after (building it cost ~100 Python calls,
# the ORM's execution ~150 more than a plain one).
_ROLES_OF = (select(RoleAssignment.role, RoleAssignment.org_id)
             .where(RoleAssignment.user_id == bindparam("roles_of_user")))


def roles_of(user_id: int) -> list[list[Any]]:
    """The account's roles as sorted ``[role, organisation id]`` pairs (what a role change records)."""
    rows = read(_ROLES_OF, {"roles_of_user": user_id}).all()  # what is pending flushed first
    return sorted(([role, org_id] for role, org_id in rows), key=lambda pair: (pair[0], pair[1] or 0))


@contextmanager
def roles_changing(actor: Actor | None, user_id: int, *, process_key: str | None = None,
                   cause: dict[str, Any] | None = None, comment: str | None = None) -> Iterator[None]:
    """Wrap a change of an account's roles: its roles before and after are recorded (if they differ)."""
    before = roles_of(user_id)
    yield
    after = roles_of(user_id)
    if after != before:
        record_access_change(actor, ROLE_CHANGE, user_id, old={"roles": before}, new={"roles": after},
                             process_key=process_key, data={"cause": cause} if cause else None, comment=comment)
