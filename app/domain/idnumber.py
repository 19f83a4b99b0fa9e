"""Resident ID numbers (居民身份证号码, GB 11643-1999)."""
from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalise(value: str) -> str:
    return (value or "").strip().upper()


def is_valid(value: str) -> bool:
    value = normalise(value)
    if not _SHAPE.match(value):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > date.today():
        return False
    return check_digit(value[:17]) == value[17]


def mask(value: str | None) -> str:
    """3101011990****7738 — birth month and day hidden, as the seeds show."""
    if not value:
        return ""
    if len(value) != 18:
        return value[:2] + "*" * max(len(value) - 4, 0) + value[-2:]
    return value[:10] + "****" + value[14:]


def mask_phone(value: str | None) -> str:
    """187*****55"""
    if not value:
        return ""
    return value[:3] + "*" * max(len(value) - 5, 0) + value[-2:]
