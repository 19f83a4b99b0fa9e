"""Translations: Chinese by default, English on request.

Code uses English message ids (``_``/``_l``); the ``zh`` catalog translates
them. Strings that are Chinese data to begin with (diagram labels such as
等待单位审核, stored choices such as 国有企业) are their own message ids and
the ``en`` catalog translates those; they are marked ``N_`` where they are
defined and translated where they are shown (``label``). The web pages take
the language from the session; API calls from ``Accept-Language`` (default zh).
"""
from __future__ import annotations

from typing import Any

from flask import Flask, request, session
from flask_babel import Babel, gettext, lazy_gettext, ngettext

from .domain import N_  # noqa: F401  (re-exported: marks a string for the catalogs)

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"

_ = gettext
_l = lazy_gettext
_n = ngettext




def label(value: Any) -> str:
    """Translate a data label (a diagram status, a stored choice); unknown ones show as they are."""
    return gettext(str(value)) if value else ""


def select_locale() -> str:
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(list(LANGUAGES), DEFAULT_LANGUAGE)
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    try:
        return select_locale()
    except RuntimeError:  # outside a request (CLI): the default
        return DEFAULT_LANGUAGE


babel = Babel()


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="translations")
    app.jinja_env.globals.update(_=gettext, label=label, LANGUAGES=LANGUAGES)
