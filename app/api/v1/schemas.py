"""Request and response schemas of API v1 shared by every process (auth, tasks, logs, files).

A process plug-in keeps the schemas of its own record in its package (``api.py``) and builds
them from these and from ``app/validation.py``.
"""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from ...i18n import _l
from ...services.inbox import MAX_BATCH, SORTS, TASK_STATUSES
from ...validation import Id, StrictSchema, Text, between, count, exact_length, length, one_of, pattern

Hours = fields.Float  # responses: plain JSON numbers, one decimal


# -- auth -----------------------------------------------------------------------
class TokenRequestSchema(StrictSchema):
    username = Text(required=True, validate=length(1, 64))
    password = Text(required=True, strip=False, validate=length(1, 128), load_only=True)


class RegisterSchema(StrictSchema):
    id_number = Text(required=True, validate=exact_length(18))
    name = Text(required=True, validate=length(2, 30))
    phone = Text(allow_none=True, validate=pattern(r"^1\d{10}$", _l("An 11-digit mobile number.")))


class RegisteredSchema(ma.Schema):
    username = fields.String(required=True)
    must_change_password = fields.Boolean(required=True)
    message = fields.String(required=True)


class TokenSchema(ma.Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)
    must_change_password = fields.Boolean(required=True)


class PasswordChangeSchema(StrictSchema):
    old_password = Text(required=True, strip=False, validate=length(1, 128))
    new_password = Text(required=True, strip=False, validate=length(1, 128))


class RoleSchema(ma.Schema):
    role = fields.String(required=True)
    org_id = fields.Integer(allow_none=True)
    org_name = fields.String(allow_none=True)


class MeSchema(ma.Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    name = fields.String(required=True)
    id_number = fields.String(allow_none=True, metadata={"description": "masked"})
    must_change_password = fields.Boolean(required=True)
    roles = fields.List(fields.Nested(RoleSchema), required=True)


class OkSchema(ma.Schema):
    ok = fields.Boolean(required=True)


# -- shared by the records of every process ----------------------------------------
class LogQuerySchema(StrictSchema):
    page = fields.Integer(load_default=1, validate=between(1, 100000))
    per_page = fields.Integer(load_default=50, validate=between(1, 200))


class LogEntrySchema(ma.Schema):
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    action_label = fields.String(required=True)
    remark = fields.String(required=True)


class FlowLog(fields.List):
    """A record's flow log: documented as a list of ``LogEntrySchema``, written directly. Its entries
    (``presenters.flow_log``) already hold the schema's fields and types but the moment, which the
    schema writes in ISO 8601; the schema's walk per entry and field cost ~40 Python calls an entry.
    ``tests/integration/test_task_json.py`` holds the two equal."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields.Nested(LogEntrySchema), **kwargs)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> list[dict[str, Any]] | None:
        return None if value is None else [log_entry_json(entry) for entry in value]


def log_entry_json(entry: dict[str, Any]) -> dict[str, Any]:
    return {"at": entry["at"].isoformat(), "actor": entry["actor"], "action": entry["action"],
            "action_label": entry["action_label"], "remark": entry["remark"]}


class LogPageSchema(ma.Schema):
    items = FlowLog(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    more = fields.Boolean(required=True)


class YearQuerySchema(StrictSchema):
    year = fields.Integer(validate=between(2000, 2100))


class FileSchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    filename = fields.String(required=True)
    description = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)


class PersonSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    id_number = fields.String(required=True, metadata={"description": "masked"})


class WaitingStepSchema(ma.Schema):
    task_id = fields.Integer(required=True)
    name = fields.String(required=True)
    due_at = fields.DateTime(allow_none=True)
    personal = fields.Boolean(required=True)
    waiting_for = fields.List(fields.String(), required=True, metadata={"description": "organisations"})


# -- tasks ------------------------------------------------------------------------
class TaskQuerySchema(StrictSchema):
    process = Text(validate=length(1, 60))
    status = Text(validate=one_of(TASK_STATUSES))
    year = fields.Integer(validate=between(2000, 2100))
    q = Text(validate=length(1, 40), metadata={"description": "the subject's name or ID number"})
    sort = Text(validate=one_of(SORTS), load_default="oldest")
    page = fields.Integer(load_default=1, validate=between(1, 100000))
    per_page = fields.Integer(load_default=20, validate=between(1, 100))


class RecordRefSchema(ma.Schema):
    type = fields.String(required=True)
    id = fields.Integer(required=True)


class FactSchema(ma.Schema):
    label = fields.String(required=True)
    value = fields.String(required=True)


class TaskSchema(ma.Schema):
    id = fields.Integer(required=True)
    instance_id = fields.Integer(required=True)
    process = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "the step, as the diagram names it"})
    name_label = fields.String(required=True, metadata={"description": "the step in the reader's language"})
    task = fields.String(required=True)
    status = fields.String(required=True)
    personal = fields.Boolean(required=True, metadata={"description": "the caller's own step, not a review"})
    record = fields.Nested(RecordRefSchema, required=True)
    subject = fields.String(required=True, metadata={"description": "whom or what the record is about"})
    subject_id_number = fields.String(allow_none=True, metadata={"description": "masked"})
    title = fields.String(required=True)
    facts = fields.List(fields.Nested(FactSchema), required=True)
    year = fields.Integer(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    assignee_name = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean(required=True)
    completed_at = fields.DateTime(allow_none=True)
    decision = fields.String(allow_none=True)


TASK_MOMENTS = ("created_at", "due_at", "completed_at")


def task_json(item: dict[str, Any]) -> dict[str, Any]:
    """What ``TaskSchema().dump(item)`` gives for an ``inbox.task_item``, built directly: the item
    already has the schema's fields and types but its moments, which the schema writes in ISO 8601.
    The inbox's hot read path (a page of up to 100 tasks) then costs no schema walk per field;
    ``tests/unit/test_task_json.py`` holds the two equal."""
    out = dict(item)
    for key in TASK_MOMENTS:
        moment = out[key]
        out[key] = moment.isoformat() if moment is not None else None
    return out


class TaskListSchema(ma.Schema):
    items = fields.List(fields.Nested(TaskSchema), required=True)
    total = fields.Integer(required=True, metadata={"description": "counted up to 1000"})
    total_capped = fields.Boolean(required=True, metadata={"description": "there are more than `total`"})
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


STEP_INPUTS = ("Fields of the step's own form (e.g. `hours` when an authority registers hours); "
               "unknown fields are refused.")


class DecisionSchema(ma.Schema):
    """A decision, a comment, and whatever the step's form takes (checked against the step)."""

    class Meta:
        unknown = ma.INCLUDE

    decision = Text(required=True, validate=pattern(r"^[a-z_]{1,20}$", _l("Choose one of the options.")),
                    metadata={"description": "one of the decisions the step offers (approve, reject, "
                              "return, accept, refuse…)"})
    comment = Text(allow_none=True, multiline=True, blank=True, validate=length(high=500))


class BatchSchema(DecisionSchema):
    task_ids = fields.List(Id(), required=True, validate=count(1, MAX_BATCH))


class BatchItemSchema(ma.Schema):
    task_id = fields.Integer(required=True)
    ok = fields.Boolean(required=True)
    status = fields.Integer(required=True)
    error = fields.Dict(allow_none=True)
    record = fields.Nested(RecordRefSchema, allow_none=True)
    title = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)


class BatchResultSchema(ma.Schema):
    results = fields.List(fields.Nested(BatchItemSchema), required=True)
    succeeded = fields.Integer(required=True)
    failed = fields.Integer(required=True)


# -- hours and instances ----------------------------------------------------------
class HoursQuerySchema(StrictSchema):
    year = fields.Integer(validate=between(2000, 2100))


class SourceHoursSchema(ma.Schema):
    source = fields.String(required=True)
    label = fields.String(required=True)
    professional = Hours(required=True)
    public_general = Hours(required=True)
    public_industry = Hours(required=True)
    total = Hours(required=True)


class HoursSchema(ma.Schema):
    year = fields.Integer(required=True)
    total = Hours(required=True)
    professional = Hours(required=True)
    public = Hours(required=True)
    public_general = Hours(required=True)
    public_industry = Hours(required=True)
    by_source = fields.Dict(keys=fields.String(), values=Hours(), required=True)
    sources = fields.List(fields.Nested(SourceHoursSchema), required=True, metadata={
        "description": "hours per ledger source (online courses, claims, unit-declared, classes…) by subject"})
    required = fields.Dict(keys=fields.String(), values=Hours(), required=True, metadata={
        "description": "the requirement for the caller's region and title level"})
    region = fields.String(required=True)
    senior = fields.Boolean(required=True, metadata={"description": "measured against the senior titles' total"})
    complete = fields.Boolean(required=True)
    completion_label = fields.String(required=True, metadata={"description": "合格 / 未完成"})


class InstanceSchema(ma.Schema):
    id = fields.Integer(required=True)
    process_key = fields.String(required=True)
    version = fields.Integer(required=True)
    record = fields.Nested(RecordRefSchema, required=True)
    status = fields.String(allow_none=True)
    status_label = fields.String(allow_none=True)
    completed = fields.Boolean(required=True)
    cancelled = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    ended_at = fields.DateTime(allow_none=True)
    next_timer_due = fields.DateTime(allow_none=True)
    open_tasks = fields.List(fields.Nested(TaskSchema), required=True)


class EventSchema(ma.Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String(required=True)
    actor_org_id = fields.Integer(allow_none=True)
    actor_org_name = fields.String(allow_none=True)
    action = fields.String(required=True)
    task_spec = fields.String(allow_none=True)
    decision = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    data = fields.Dict(required=True)
    hash = fields.String(required=True)
    prev_hash = fields.String(allow_none=True)


class EventListSchema(ma.Schema):
    items = fields.List(fields.Nested(EventSchema), required=True)
    total = fields.Integer(required=True)
