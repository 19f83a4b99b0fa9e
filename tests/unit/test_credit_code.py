"""GB 32100-2015 unified social credit codes: shape and check character."""
from __future__ import annotations

import pytest

from app.domain import credit_code

# GB 32100-2015's own example, published codes of companies, and one in lower case with spaces.
VALID = ["91350100M000100Y43", "91110000802100433B", "91440300708461136T", " 91110000802100433b "]


@pytest.mark.parametrize("code", VALID)
def test_published_codes_are_valid(code):
    assert credit_code.is_valid(code)


@pytest.mark.parametrize("code", ["", None, "91350100M000100Y4", "91350100M000100Y433",  # length
                                  "91350100M000100Y44",  # wrong check character
                                  "91350100M000100I43",  # I is not in the alphabet
                                  "913501A0M000100Y43",  # the region is six digits
                                  "91350100M00010OY43"])  # O is not in the alphabet
def test_malformed_or_wrong_codes_are_refused(code):
    assert not credit_code.is_valid(code)


def test_every_single_character_change_is_caught():
    code = "91350100M000100Y43"
    for position in range(18):
        for other in credit_code.ALPHABET:
            if other == code[position]:
                continue
            changed = code[:position] + other + code[position + 1:]
            assert not credit_code.is_valid(changed), changed


def test_the_check_character_can_be_zero_and_is_computed_not_stored():
    assert credit_code.check_character("91350100M000100Y4") == "3"
    checks = {credit_code.check_character("9111000010000134" + c) for c in credit_code.ALPHABET}
    assert checks == set(credit_code.ALPHABET)  # the last character reaches every check value, 0 included
