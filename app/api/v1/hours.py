"""The caller's hours against the yearly policy."""
from __future__ import annotations

from typing import Any

import marshmallow as ma

from ...clock import today
from ...services import records
from .blueprint import Blueprint
from .context import current_actor
from .schemas import HoursQuerySchema, HoursSchema

URL_PREFIX = "/me"
blp = Blueprint("hours", __name__, description="Hours ledger")


@blp.route("/hours", methods=["GET"])
@blp.arguments(HoursQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, HoursSchema)
def my_hours(query: dict[str, Any]) -> dict[str, Any]:
    """学习首页: the caller's hours for a year (default: this year) by subject and by source, against the
    requirement of their region and title level."""
    return records.hours(current_actor().id, query.get("year") or today().year)
