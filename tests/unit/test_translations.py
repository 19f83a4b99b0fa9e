"""Every user-facing string is translated: Chinese for English ids, English for Chinese ids."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _template_ids() -> set[str]:
    with (TRANSLATIONS / "messages.pot").open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


def test_catalogs_cover_the_template():
    ids = _template_ids()
    for lang in ("zh", "en"):
        assert {m.id for m in _catalog(lang) if m.id} >= ids, f"{lang} catalog is behind: run make translations"


def test_english_ids_have_chinese_translations():
    missing = [m.id for m in _catalog("zh") if m.id and not CJK.search(m.id) and not m.string]
    assert missing == []


def test_chinese_ids_have_english_translations():
    missing = [m.id for m in _catalog("en") if m.id and CJK.search(m.id) and not m.string]
    assert missing == []


def test_placeholders_survive_translation():
    for lang in ("zh", "en"):
        for message in _catalog(lang):
            if message.id and message.string:
                assert set(re.findall(r"%\(\w+\)s", message.id)) == set(re.findall(r"%\(\w+\)s", message.string)), message.id
