"""URL converters shared by the pages and the API."""
from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

INT32_MAX = 2**31 - 1  # the id columns are 32-bit on PostgreSQL


def at_most(limit: int) -> str:
    """A regex for the decimal numbers 0 … ``limit`` (leading zeros allowed, as ``\\d+`` allows)."""
    digits = str(limit)
    shorter = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    same_length = [f"{digits[:i]}[0-{int(d) - 1}]" + (rf"\d{{{len(digits) - i - 1}}}" if i < len(digits) - 1 else "")
                   for i, d in enumerate(digits) if d != "0"]
    return "0*(?:" + "|".join([*shorter, *same_length, digits]) + ")"


class IdConverter(IntegerConverter):
    """``<int:…>`` for record ids: 0 … 2**31-1, so a bigger number is a 404 for every method.

    Bigger ids reached the database before (SQLite overflows at 2**63, PostgreSQL refuses
    beyond 2**31: neither a "not found"). The bound is in the regex, not only in
    ``to_python``: werkzeug answers 405 when a rule matches the path but not the method,
    before the converter is asked. ``max`` also shows as ``maximum`` in the OpenAPI document.
    """

    regex = at_most(INT32_MAX)

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT32_MAX)
        super().__init__(map, *args, **kwargs)


def init_converters(app: Any) -> None:
    """Before any route is added: every ``<int:…>`` in the app is an id."""
    app.url_map.converters["int"] = IdConverter
