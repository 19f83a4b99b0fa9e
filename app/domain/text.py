"""Free text typed by people: no control characters (PostgreSQL refuses NUL outright)."""
from __future__ import annotations

import re
import unicodedata

ALLOWED_CONTROLS = frozenset("\n\r\t")
# The code points of Unicode's categories Cc (controls) and Cs (surrogates): a text with none of
# them, as nearly every one is, is passed by one search instead of a category look-up per character.
CONTROL_OR_SURROGATE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def control_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The control characters in ``value`` that are not allowed (newlines only when multiline)."""
    if CONTROL_OR_SURROGATE.search(value) is None:
        return []
    allowed = ALLOWED_CONTROLS if multiline else frozenset()
    return sorted({repr(ch) for ch in value
                   if unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed})
