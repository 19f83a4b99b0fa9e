"""The id converter's regex: exactly the numbers 0 … limit, so bigger ids match no route at all."""
from __future__ import annotations

import re

import pytest

from app.converters import INT32_MAX, at_most


@pytest.mark.parametrize("limit", [0, 5, 9, 10, 99, 100, 101, 470, 1000, 2047])
def test_at_most_matches_exactly_up_to_the_limit(limit):
    pattern = re.compile(at_most(limit) + r"\Z")
    assert [v for v in range(3 * limit + 20) if pattern.match(str(v))] == list(range(limit + 1))


def test_the_id_bound_is_the_32_bit_maximum():
    pattern = re.compile(at_most(INT32_MAX) + r"\Z")
    for inside in (0, 7, 999_999_999, 1_999_999_999, 2_147_483_639, INT32_MAX - 1, INT32_MAX):
        assert pattern.match(str(inside)), inside
    for outside in (INT32_MAX + 1, 2_147_483_650, 2_200_000_000, 9_999_999_999, 2**63, 10**40):
        assert not pattern.match(str(outside)), outside
