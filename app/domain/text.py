"""Free text typed by people: no control characters (PostgreSQL refuses NUL outright)."""
from __future__ import annotations

import unicodedata

ALLOWED_CONTROLS = frozenset("\n\r\t")


def control_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The control characters in ``value`` that are not allowed (newlines only when multiline)."""
    allowed = ALLOWED_CONTROLS if multiline else frozenset()
    return sorted({repr(ch) for ch in value
                   if unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed})
