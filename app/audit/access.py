"""Who may use the audit tools: auditors search, export and verify; process administrators search and
export (read-only)."""
from __future__ import annotations

from ..errors import Forbidden
from ..i18n import _
from ..services.actors import Actor

READERS = ("auditor", "process_admin")
VERIFIERS = ("auditor",)


def may_read(actor: Actor | None) -> bool:
    return actor is not None and any(actor.holds(role) for role in READERS)


def may_verify(actor: Actor | None) -> bool:
    return actor is not None and any(actor.holds(role) for role in VERIFIERS)


def require_reader(actor: Actor | None) -> Actor:
    if not may_read(actor):
        raise Forbidden(_("Only auditors and process administrators may read the audit log."))
    assert actor is not None
    return actor


def require_verifier(actor: Actor | None) -> Actor:
    if not may_verify(actor):
        raise Forbidden(_("Only auditors may run a verification."))
    assert actor is not None
    return actor
