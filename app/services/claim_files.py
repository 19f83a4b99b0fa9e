"""Proof files of a claim (证明文件): at most N per claim, each with a short description.

A blob is written before its row; if the transaction then fails, the blob is
removed again (``on_rollback``). A removed file's row goes in the transaction
and its blob only after commit (``after_commit``), so a crash never leaves a
row pointing at nothing.
"""
from __future__ import annotations

import uuid

from flask import current_app
from sqlalchemy import func, select

from ..db import after_commit, on_rollback
from ..domain.text import control_characters
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..i18n import _
from ..models import Claim, ClaimFile
from ..storage import storage
from .actors import Actor
from .audit import record_event
from .claims import get_own_locked, get_visible
from .uploads import check_upload


def _limits() -> dict[str, int]:
    return current_app.config["UPLOADS"]


def add_file(claim_id: int, actor: Actor, data: bytes, filename: str | None,
             description: str | None) -> ClaimFile:
    claim, instance = get_own_locked(claim_id, actor)
    limits = _limits()
    description = (description or "").strip()
    if not description:
        raise Invalid(_("Describe the file."), code="invalid", fields={"description": [_("Required.")]})
    if control_characters(description):
        raise Invalid(_("The description may not contain control characters."), code="invalid",
                      fields={"description": [_("No control characters.")]})
    if len(description) > limits["MAX_DESCRIPTION_CHARS"]:
        raise Invalid(_("The description is limited to %(n)s characters.", n=limits["MAX_DESCRIPTION_CHARS"]),
                      code="invalid", fields={"description": [_("At most %(n)s characters.",
                                                                 n=limits["MAX_DESCRIPTION_CHARS"])]})
    count = db.session.scalar(select(func.count()).where(ClaimFile.claim_id == claim.id))
    if count >= limits["MAX_FILES_PER_CLAIM"]:
        raise Conflict(_("A claim takes at most %(n)s files.", n=limits["MAX_FILES_PER_CLAIM"]),
                       code="too_many_files")
    checked = check_upload(data, filename, limits["MAX_FILE_BYTES"])
    key = f"claims/{claim.id}/{uuid.uuid4().hex}{checked.extension}"
    store = storage()
    store.put(key, data, checked.content_type)
    on_rollback(lambda: store.delete(key))
    row = ClaimFile(claim_id=claim.id, storage_key=key, filename=checked.filename,
                    description=description, content_type=checked.content_type,
                    size=checked.size, sha256=checked.sha256, uploaded_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record_event(instance, actor, "file_add",
                 data={"file_id": row.id, "filename": row.filename, "sha256": row.sha256})
    return row


def remove_file(claim_id: int, file_id: int, actor: Actor) -> None:
    claim, instance = get_own_locked(claim_id, actor)
    row = _file_of(claim, file_id)
    key = row.storage_key
    db.session.delete(row)
    record_event(instance, actor, "file_remove",
                 data={"file_id": file_id, "filename": row.filename, "sha256": row.sha256})
    store = storage()
    after_commit(lambda: store.delete(key))


def read_file(claim_id: int, file_id: int, actor: Actor) -> tuple[ClaimFile, bytes]:
    claim = get_visible(claim_id, actor)
    row = _file_of(claim, file_id)
    return row, storage().get(row.storage_key)


def discard_all(claim: Claim) -> None:
    """Delete a deleted claim's file rows now and their blobs once that has committed."""
    store = storage()
    for row in list(claim.files):
        key = row.storage_key
        db.session.delete(row)
        after_commit(lambda key=key: store.delete(key))


def _file_of(claim: Claim, file_id: int) -> ClaimFile:
    for row in claim.files:
        if row.id == file_id:
            return row
    raise NotFound(_("File not found."))
