"""Request and response schemas of API v1."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ...converters import INT32_MAX
from ...domain.routes import ROUTES
from ...domain.text import control_characters
from ...i18n import _
from ...services.claims import MAX_CLAIM_HOURS

Hours = fields.Float  # responses: plain JSON numbers, one decimal


def Id(**kwargs) -> fields.Integer:
    """A record id in a body: a positive 32-bit integer (larger ones name nothing)."""
    return fields.Integer(strict=True, validate=validate.Range(1, INT32_MAX), **kwargs)


def _hours_in_range(value) -> None:
    if not 0 < value <= MAX_CLAIM_HOURS:
        raise ma.ValidationError(_("More than 0 and at most %(max)s.", max=int(MAX_CLAIM_HOURS)))


def HoursIn(**kwargs) -> fields.Decimal:
    """Hours sent by a client: positive and at most MAX_CLAIM_HOURS (the services check the rest).

    Not ``validate.Range``: apispec would write a Decimal's bounds into the document as strings.
    """
    return fields.Decimal(allow_nan=False, validate=_hours_in_range, metadata={
        "minimum": 0, "exclusiveMinimum": True, "maximum": int(MAX_CLAIM_HOURS)}, **kwargs)


def Year(**kwargs) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(2000, 2100), **kwargs)


class Text(fields.String):
    """An input string without control characters (newlines allowed when ``multiline``)."""

    def __init__(self, *args, multiline: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        bad = control_characters(text, multiline=self.multiline)
        if bad:
            raise ma.ValidationError(_("No control characters (%(found)s).", found=", ".join(bad)))
        return text


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


# -- auth -----------------------------------------------------------------------
class TokenRequestSchema(StrictSchema):
    username = Text(required=True, validate=validate.Length(1, 64))
    password = Text(required=True, validate=validate.Length(1, 128), load_only=True)


class RegisterSchema(StrictSchema):
    id_number = Text(required=True, validate=validate.Length(18, 18))
    name = Text(required=True, validate=validate.Length(2, 30))
    phone = Text(allow_none=True, validate=validate.Regexp(r"^1\d{10}$", error="11-digit mobile number"))


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
    old_password = Text(required=True, validate=validate.Length(1, 128))
    new_password = Text(required=True, validate=validate.Length(1, 128))


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


# -- claims ---------------------------------------------------------------------
class ClaimCreateSchema(StrictSchema):
    year = Year(required=True)
    route = Text(required=True, validate=validate.OneOf(list(ROUTES)))
    title = Text(required=True, validate=validate.Length(1, 100))
    details = fields.Dict(keys=Text(), required=True)
    hours_requested = HoursIn(required=True)


class ClaimPatchSchema(StrictSchema):
    route = Text(validate=validate.OneOf(list(ROUTES)))
    title = Text(validate=validate.Length(1, 100))
    details = fields.Dict(keys=Text())
    hours_requested = HoursIn()


class LogQuerySchema(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class LogPageSchema(ma.Schema):
    items = fields.List(fields.Nested("LogEntrySchema"), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    more = fields.Boolean(required=True)


class YearQuerySchema(StrictSchema):
    year = fields.Integer(validate=validate.Range(2000, 2100))


class FileSchema(ma.Schema):
    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    description = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)


class LogEntrySchema(ma.Schema):
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    action_label = fields.String(required=True)
    remark = fields.String(required=True)


class PersonSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    id_number = fields.String(required=True, metadata={"description": "masked"})


class ClaimSchema(ma.Schema):
    id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    route = fields.String(required=True)
    route_label = fields.String(required=True)
    title = fields.String(required=True)
    details = fields.Dict(required=True)
    hours_requested = Hours(required=True)
    hours_suggested = Hours(required=True)
    hours_reviewed = Hours(allow_none=True)
    hours_registered = Hours(allow_none=True)
    cap_remaining = Hours(required=True, metadata={"description": "hours left on this route's yearly cap"})
    status = fields.String(required=True)
    status_label = fields.String(required=True)
    trainee = fields.Nested(PersonSchema, required=True)
    unit_name = fields.String(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    submitted_at = fields.DateTime(allow_none=True)
    files = fields.List(fields.Nested(FileSchema), required=True)
    log = fields.List(fields.Nested(LogEntrySchema), required=True,
                      metadata={"description": "the latest 50 entries, newest first"})
    log_more = fields.Boolean(required=True, metadata={"description": "older entries: GET /claims/{id}/log"})


class ClaimListItemSchema(ClaimSchema):
    class Meta:
        exclude = ("log", "log_more", "files")


class ClaimListSchema(ma.Schema):
    items = fields.List(fields.Nested(ClaimListItemSchema), required=True)
    total = fields.Integer(required=True)


# -- enrolments -----------------------------------------------------------------
class EnrollmentCreateSchema(StrictSchema):
    year = Year(required=True)
    unit_id = Id(required=True)
    identity_type = Text(required=True)
    political_status = Text(required=True)
    education = Text(required=True)
    title = Text(required=True)
    title_date = fields.Date(allow_none=True)
    specialty = Text(required=True, validate=validate.Length(1, 40))


class EnrollmentPatchSchema(StrictSchema):
    unit_id = Id()
    identity_type = Text()
    political_status = Text()
    education = Text()
    title = Text()
    title_date = fields.Date(allow_none=True)
    specialty = Text(validate=validate.Length(1, 40))


class EnrollmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    unit_name = fields.String(required=True)
    identity_type = fields.String(required=True)
    political_status = fields.String(required=True)
    education = fields.String(required=True)
    title = fields.String(required=True)
    title_date = fields.Date(allow_none=True)
    specialty = fields.String(required=True)
    status = fields.String(required=True)
    status_label = fields.String(required=True)
    review_comment = fields.String(allow_none=True, metadata={"description": "reason of the last rejection"})
    trainee = fields.Nested(PersonSchema, required=True)
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    log = fields.List(fields.Nested(LogEntrySchema), required=True,
                      metadata={"description": "the latest 50 entries, newest first"})
    log_more = fields.Boolean(required=True)


class EnrollmentListItemSchema(EnrollmentSchema):
    class Meta:
        exclude = ("log", "log_more")


class EnrollmentListSchema(ma.Schema):
    items = fields.List(fields.Nested(EnrollmentListItemSchema), required=True)
    total = fields.Integer(required=True)


# -- tasks ------------------------------------------------------------------------
class TaskQuerySchema(StrictSchema):
    process = Text(validate=validate.Length(1, 60))
    status = Text(validate=validate.OneOf(
        ["open", "unclaimed", "claimed", "mine", "completed", "cancelled"]))
    year = fields.Integer(validate=validate.Range(2000, 2100))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class RecordRefSchema(ma.Schema):
    type = fields.String(required=True)
    id = fields.Integer(required=True)


class TaskSchema(ma.Schema):
    id = fields.Integer(required=True)
    process = fields.String(required=True)
    name = fields.String(required=True)
    task = fields.String(required=True)
    status = fields.String(required=True)
    record = fields.Nested(RecordRefSchema, required=True)
    summary = fields.Dict(required=True)
    year = fields.Integer(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    completed_at = fields.DateTime(allow_none=True)
    decision = fields.String(allow_none=True)


class TaskListSchema(ma.Schema):
    items = fields.List(fields.Nested(TaskSchema), required=True)
    total = fields.Integer(required=True, metadata={"description": "counted up to 1000"})
    total_capped = fields.Boolean(required=True, metadata={"description": "there are more than `total`"})
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class DecisionSchema(StrictSchema):
    decision = Text(required=True, validate=validate.OneOf(["approve", "reject", "return"]))
    hours = HoursIn(allow_none=True)
    comment = Text(allow_none=True, multiline=True, validate=validate.Length(max=500))


class BatchSchema(DecisionSchema):
    task_ids = fields.List(Id(), required=True,
                           validate=validate.Length(1, 1000))


class BatchItemSchema(ma.Schema):
    task_id = fields.Integer(required=True)
    ok = fields.Boolean(required=True)
    status = fields.Integer(required=True)
    error = fields.Dict(allow_none=True)


class BatchResultSchema(ma.Schema):
    results = fields.List(fields.Nested(BatchItemSchema), required=True)
    succeeded = fields.Integer(required=True)
    failed = fields.Integer(required=True)


# -- hours and instances ----------------------------------------------------------
class HoursQuerySchema(StrictSchema):
    year = fields.Integer(validate=validate.Range(2000, 2100))


class HoursSchema(ma.Schema):
    year = fields.Integer(required=True)
    total = Hours(required=True)
    professional = Hours(required=True)
    public = Hours(required=True)
    public_general = Hours(required=True)
    public_industry = Hours(required=True)
    by_source = fields.Dict(keys=fields.String(), values=Hours(), required=True)
    required = fields.Dict(keys=fields.String(), values=Hours(), required=True)
    complete = fields.Boolean(required=True)
    completion_label = fields.String(required=True)


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
