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

from flask import Flask, has_request_context, request, session
from flask.json.provider import DefaultJSONProvider
from flask_babel import Babel, gettext, lazy_gettext, ngettext
from flask_babel.speaklater import LazyString

from workflows import LABEL_SEPARATOR

from .domain import N_  # noqa: F401  (re-exported: marks a string for the catalogs)

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"

_ = gettext
_l = lazy_gettext
_n = ngettext


def label(value: Any) -> str:
    """Translate a data label (a diagram status, a stored choice); unknown ones show as they are.

    Labels of steps waiting side by side come joined (``等待原上级审核 / 等待新上级审核``):
    each part is translated.
    """
    if not value:
        return ""
    text = str(value)
    if LABEL_SEPARATOR in text:
        return LABEL_SEPARATOR.join(gettext(part) for part in text.split(LABEL_SEPARATOR))
    return gettext(text)


def select_locale() -> str:
    if not has_request_context():  # a CLI command or job: the default
        return DEFAULT_LANGUAGE
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

# marshmallow's own messages, in the reader's language (formatted when an error is made).
_FIELD_MESSAGES: dict[str, dict[str, Any]] = {
    "Field": {"required": _l("Required."), "null": _l("May not be empty."),
              "validator_failed": _l("Invalid value.")},
    "String": {"invalid": _l("Not a valid text."), "invalid_utf8": _l("Not a valid text.")},
    "Integer": {"invalid": _l("Not a whole number.")},
    "Number": {"invalid": _l("Not a number."), "too_large": _l("The number is too large.")},
    "Float": {"special": _l("Not a number.")},
    "Decimal": {"special": _l("Not a number.")},
    "Boolean": {"invalid": _l("Not true or false.")},
    "DateTime": {"invalid": _l("Not a valid date and time."),
                 "invalid_awareness": _l("Not a valid date and time."),
                 "format": _l("Not a valid date and time.")},
    "Date": {"invalid": _l("Not a valid date (YYYY-MM-DD)."),
             "format": _l("Not a valid date (YYYY-MM-DD).")},
    "Mapping": {"invalid": _l("Not an object.")},
    "Dict": {"invalid": _l("Not an object.")},
    "List": {"invalid": _l("Not a list.")},
    "Nested": {"type": _l("Not an object.")},
}


def localise_marshmallow() -> None:
    """Make marshmallow's field messages translatable (validators take ours: ``app/validation.py``)."""
    import marshmallow as ma

    for name, messages in _FIELD_MESSAGES.items():
        getattr(ma.fields, name).default_error_messages = {
            **getattr(ma.fields, name).default_error_messages, **messages}
    ma.Schema._default_error_messages = {"type": _l("Not an object."), "unknown": _l("Unknown field.")}


localise_marshmallow()  # before any schema is built: fields copy the messages when made


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, written as read (no ASCII escapes) and with lazily translated messages."""

    ensure_ascii = False

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, LazyString):
            return str(o)
        return DefaultJSONProvider.default(o)


def init_app(app: Flask) -> None:
    app.json = JSONProvider(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="translations")
    app.jinja_env.globals.update(_=gettext, label=label, LANGUAGES=LANGUAGES)
