"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

Eighteen characters from 0-9 and the capitals without I, O, Z, S, V: the registration
authority (1), the kind of organisation (1), the region (6 digits), the organisation code (9)
and a check character computed like ISO 7064 MOD 31-3 over the first 17, with weights
3^i mod 31.
"""
from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_SHAPE = re.compile(rf"^[{ALPHABET}]{{2}}\d{{6}}[{ALPHABET}]{{10}}$")


def normalise(value: str | None) -> str:
    return (value or "").strip().upper()


def check_character(first17: str) -> str:
    """The check character of the first seventeen characters (which must be in ``ALPHABET``)."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(value: str | None) -> bool:
    value = normalise(value)
    return bool(_SHAPE.match(value)) and check_character(value[:17]) == value[17]
