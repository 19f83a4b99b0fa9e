"""年度申报时间与政策设置 through the API: the effective windows and required hours of a year (anyone,
for themselves or an organisation they may see), and an authority administrator's settings."""
from __future__ import annotations

from typing import Any

from marshmallow import fields

from ..api.v1.blueprint import Blueprint
from ..api.v1.context import current_actor
from ..api.v1.errors import ErrorSchema
from ..converters import INT32_MAX
from ..validation import Id, StrictSchema, between
from . import service

blp = Blueprint("windows", __name__, api_prefix="/windows",
                description="Yearly claim and supplementary windows and hour policy (年度申报时间与政策设置)")

HOURS_DOC = {"minimum": 0, "maximum": 1000}


class OrgArgs(StrictSchema):
    org = fields.Integer(validate=between(1, INT32_MAX),
                         metadata={"description": "an organisation (default: my own; a trainee's unit that year)"})


class YearWindowSchema(StrictSchema):
    opens_on = fields.Date(required=True)
    closes_on = fields.Date(required=True)
    set_by_org_id = fields.Integer(allow_none=True, metadata={"description": "null: the platform (config)"})
    set_by = fields.String(allow_none=True)


class YearHoursSchema(StrictSchema):
    total = fields.Decimal(as_string=True, required=True)
    senior_total = fields.Decimal(as_string=True, allow_none=True,
                                  metadata={"description": "senior titles' total; null: the total"})
    professional = fields.Decimal(as_string=True, required=True)
    public = fields.Decimal(as_string=True, required=True)
    set_by_org_id = fields.Integer(allow_none=True, metadata={"description": "null: the platform (config)"})
    set_by = fields.String(allow_none=True)


class YearBoundsSchema(StrictSchema):
    claim_earliest = fields.Date(required=True)
    claim_latest = fields.Date(required=True)
    supplementary_earliest = fields.Date(required=True)
    supplementary_latest = fields.Date(required=True)
    min_total_hours = fields.Decimal(as_string=True, required=True)
    max_total_hours = fields.Decimal(as_string=True, required=True)


class YearEffectiveSchema(StrictSchema):
    year = fields.Integer(required=True)
    org_id = fields.Integer(allow_none=True)
    org_name = fields.String(allow_none=True)
    claim_window = fields.Nested(YearWindowSchema, allow_none=True,
                                 metadata={"description": "null: no authority set one (the platform's schedule "
                                                          "applies, if any)"})
    supplementary_window = fields.Nested(YearWindowSchema, required=True,
                                         metadata={"description": "when the year's hours may be supplemented "
                                                                  "(in the next year)"})
    hours = fields.Nested(YearHoursSchema, required=True)
    bounds = fields.Nested(YearBoundsSchema, required=True, metadata={"description": "what an authority may set"})


def _hours(**kwargs: Any) -> fields.Decimal:
    return fields.Decimal(allow_none=True, load_default=None, allow_nan=False, metadata=HOURS_DOC, **kwargs)


class YearSettingsInSchema(StrictSchema):
    """The authority's settings for the year, replacing its earlier ones; a group left out or null is
    inherited (from the authority above, else config)."""

    org_id = Id(load_default=None, metadata={"description": "the authority (default: the one I administer)"})
    claim_opens_on = fields.Date(allow_none=True, load_default=None)
    claim_closes_on = fields.Date(allow_none=True, load_default=None)
    supplementary_opens_on = fields.Date(allow_none=True, load_default=None)
    supplementary_closes_on = fields.Date(allow_none=True, load_default=None)
    total_hours = _hours()
    senior_total_hours = _hours()
    professional_hours = _hours()
    public_hours = _hours()


class YearSettingsSavedSchema(YearEffectiveSchema):
    own = fields.Dict(required=True, metadata={"description": "the authority's own settings (null: inherited)"})


@blp.route("/<int:year>", methods=["GET"])
@blp.arguments(OrgArgs, location="query")
@blp.response(200, YearEffectiveSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def effective(args: dict[str, Any], year: int) -> dict[str, Any]:
    """The windows and required hours in force for ``year``: mine, or ``?org=``'s (my own organisation,
    or one in the subtree of an authority I work for)."""
    actor = current_actor()
    service.check_year(year, changing=False)
    return service.describe(service.org_for(actor, args.get("org"), year), year)


@blp.route("/<int:year>", methods=["PUT"])
@blp.arguments(YearSettingsInSchema)
@blp.response(200, YearSettingsSavedSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def put(payload: dict[str, Any], year: int) -> dict[str, Any]:
    """Set my authority's windows and required hours for ``year`` (its administrators only; 422 outside
    config's bounds or with a start after its end; each change is an audit event with old and new values)."""
    actor = current_actor()
    authority = service.authority_for(actor, payload.pop("org_id"))
    row = service.save(actor, authority, year, payload)
    return {**service.describe(authority, year), "own": service.own_values(row)}
