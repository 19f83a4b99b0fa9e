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


def _first(value):
    """Plural messages carry tuples; their first form stands for them."""
    return value[0] if isinstance(value, tuple) else value


def _translated(message) -> bool:
    return any(message.string) if isinstance(message.string, tuple) else bool(message.string)


def _template_ids() -> set[str]:
    with (TRANSLATIONS / "messages.pot").open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


def test_catalogs_cover_the_template():
    ids = _template_ids()
    for lang in ("zh", "en"):
        assert {m.id for m in _catalog(lang) if m.id} >= ids, f"{lang} catalog is behind: run make translations"


def test_english_ids_have_chinese_translations():
    missing = [m.id for m in _catalog("zh") if m.id and not CJK.search(_first(m.id)) and not _translated(m)]
    assert missing == []


def test_chinese_ids_have_english_translations():
    missing = [m.id for m in _catalog("en") if m.id and CJK.search(_first(m.id)) and not _translated(m)]
    assert missing == []


def test_placeholders_survive_translation():
    for lang in ("zh", "en"):
        for message in _catalog(lang):
            if message.id and _translated(message):
                ids = " ".join(message.id) if isinstance(message.id, tuple) else message.id
                text = " ".join(message.string) if isinstance(message.string, tuple) else message.string
                assert set(re.findall(r"%\(\w+\)s", ids)) == set(re.findall(r"%\(\w+\)s", text)), message.id


def test_template_is_up_to_date_with_the_code():
    """Every string in code, templates and diagrams is in messages.pot (run make translations)."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = TRANSLATIONS.parents[1]
    with (root / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "N_": None, "lazy_gettext": None}
    found = {_first(message) for _, _, message, _, _ in extract_from_dir(
        str(root), method_map, options_map, keywords=keywords) if message}
    assert len(found) > 300  # the extraction really read the sources
    assert found - {_first(m) for m in _template_ids()} == set()
