"""``control_characters``' quick search matches exactly the code points of Unicode's Cc and Cs."""
from __future__ import annotations

import sys
import unicodedata

from app.domain.text import CONTROL_OR_SURROGATE, control_characters


def test_the_search_finds_exactly_the_controls_and_surrogates():
    found = {cp for cp in range(sys.maxunicode + 1) if CONTROL_OR_SURROGATE.match(chr(cp))}
    assert found == {cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) in ("Cc", "Cs")}


def test_what_is_refused_and_what_is_allowed():
    assert control_characters("培训班\u3000第一期 ABC") == []
    assert control_characters("a\x00b\x7f") == ["'\\x00'", "'\\x7f'"]
    assert control_characters("第一行\n第二行") == ["'\\n'"]
    assert control_characters("第一行\r\n第二行\t", multiline=True) == []
    assert control_characters("x\ud800") == ["'\\ud800'"]
