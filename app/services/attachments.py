"""Files attached to a record, for any process: upload (checked by content), list, read, remove.

A blob is written before its row; if the transaction then fails, the blob is removed again
(``on_rollback``). A removed file's row goes in the transaction and its blob only after
commit (``after_commit``), so a crash never leaves a row pointing at nothing. Who may attach
or read is the calling plug-in's rule; how many files, how large and what descriptions
is its ``FilePolicy``. A process administrator's or auditor's read is logged (``read``).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select

from ..db import after_commit, begin_recording, on_rollback
from ..db import read as read_rows
from ..domain.text import control_characters
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..i18n import _
from ..models import Attachment, ProcessInstance
from ..storage import storage
from .actors import Actor
from .audit import record_admin_event, record_event
from .uploads import DEFAULT_KINDS, check_upload


@dataclass(frozen=True)
class FilePolicy:
    prefix: str  # storage keys: <prefix>/<record id>/<random>.<ext>
    max_files: int
    max_bytes: int
    max_description: int
    description_required: bool = True
    kinds: tuple[str, ...] = DEFAULT_KINDS  # the file types taken (uploads.EXTENSIONS' keys)


# Built once: every record read lists its files (building the statement cost ~170 Python calls).
_FILES_OF = (select(Attachment).where(Attachment.record_type == bindparam("record_type"),
                                      Attachment.record_id == bindparam("record_id")).order_by(Attachment.id))


def files_of(record_type: str, record_id: int) -> list[Attachment]:
    return list(db.session.scalars(_FILES_OF, {"record_type": record_type, "record_id": record_id}))


_COUNT = select(func.count()).where(Attachment.record_type == bindparam("record_type"),
                                    Attachment.record_id == bindparam("record_id"))  # built once


def count(record_type: str, record_id: int) -> int:
    return int(read_rows(_COUNT, {"record_type": record_type, "record_id": record_id}).scalar() or 0)


def _description(policy: FilePolicy, description: str | None) -> str:
    text = (description or "").strip()
    if not text and policy.description_required:
        raise Invalid(_("Describe the file."), code="invalid", fields={"description": [_("Required.")]})
    if control_characters(text):
        raise Invalid(_("The description may not contain control characters."), code="invalid",
                      fields={"description": [_("No control characters.")]})
    limit = policy.max_description
    if len(text) > limit:
        raise Invalid(_("The description is limited to %(n)s characters.", n=limit), code="invalid",
                      fields={"description": [_("At most %(n)s characters.", n=limit)]})
    return text


def add(instance: ProcessInstance, policy: FilePolicy, actor: Actor, data: bytes, filename: str | None,
        description: str | None, *, kind: str = "") -> Attachment:
    """Store a file for the instance's record (the caller has locked the instance and checked the actor)."""
    text = _description(policy, description)
    if count(instance.record_type, instance.record_id) >= policy.max_files:
        raise Conflict(_("At most %(n)s files can be attached.", n=policy.max_files), code="too_many_files")
    checked = check_upload(data, filename, policy.max_bytes, policy.kinds)
    key = f"{policy.prefix}/{instance.record_id}/{uuid.uuid4().hex}{checked.extension}"
    store = storage()
    store.put(key, data, checked.content_type)
    on_rollback(lambda: store.delete(key))
    row = Attachment(record_type=instance.record_type, record_id=instance.record_id, kind=kind,
                     storage_key=key, filename=checked.filename, description=text,
                     content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                     uploaded_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record_event(instance, actor, "file_add",
                 data={"file_id": row.id, "filename": row.filename, "sha256": row.sha256})
    return row


def get(record_type: str, record_id: int, file_id: int) -> Attachment:
    row = db.session.get(Attachment, file_id)
    if row is None or (row.record_type, row.record_id) != (record_type, record_id):
        raise NotFound(_("File not found."))
    return row


def remove(instance: ProcessInstance, actor: Actor, file_id: int) -> None:
    row = get(instance.record_type, instance.record_id, file_id)
    key = row.storage_key
    db.session.delete(row)
    record_event(instance, actor, "file_remove",
                 data={"file_id": file_id, "filename": row.filename, "sha256": row.sha256})
    store = storage()
    after_commit(lambda: store.delete(key))


def read(record_type: str, record_id: int, file_id: int, actor: Actor) -> tuple[Attachment, bytes]:
    """A file of a record, for an actor the caller has found may read the record.

    A read through a global role (a process administrator's, an auditor's) is itself an
    administrative event (``read_proof``: who read which file of which record); the owner's
    and the reviewers' own reads are not logged.
    """
    row = get(record_type, record_id, file_id)
    key = row.storage_key
    if actor.can_read_all_processes:
        _log_read(row, actor)
    return row, storage().get(key)


def _log_read(row: Attachment, actor: Actor) -> None:
    what = {"attachment": row.id, "filename": row.filename}
    record_type, record_id = row.record_type, row.record_id
    begin_recording()  # a GET, read-only until here
    process_key = db.session.scalar(select(ProcessInstance.process_key).where(
        ProcessInstance.record_type == record_type, ProcessInstance.record_id == record_id)
        .order_by(ProcessInstance.id.desc()).limit(1))
    record_admin_event(actor, "read_proof", record_type=record_type, record_id=record_id,
                       process_key=process_key, data=what)


def discard_all(record_type: str, record_id: int) -> None:
    """Delete a record's file rows now and their blobs once that has committed."""
    store = storage()
    for row in files_of(record_type, record_id):
        key = row.storage_key
        db.session.delete(row)
        after_commit(lambda key=key: store.delete(key))


_VIEW_COLUMNS = (Attachment.id, Attachment.kind, Attachment.filename, Attachment.description,
                 Attachment.content_type, Attachment.size, Attachment.created_at)


def view(row: Attachment) -> dict[str, object]:
    return {column.key: getattr(row, column.key) for column in _VIEW_COLUMNS}


# Built once: every record's answer lists its files; their columns are read as plain rows.
_VIEWS_OF = (select(*_VIEW_COLUMNS).where(Attachment.record_type == bindparam("record_type"),
                                          Attachment.record_id == bindparam("record_id")).order_by(Attachment.id))


def views_of(record_type: str, record_id: int) -> list[dict[str, object]]:
    """``[view(f) for f in files_of(...)]``, read as plain rows (no ORM objects, ~70 calls fewer)."""
    return [dict(row._mapping) for row in read_rows(_VIEWS_OF, {"record_type": record_type, "record_id": record_id})]
