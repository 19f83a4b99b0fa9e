"""Translations: Chinese by default, English on request.

Code uses English message ids (``_``/``_l``); the ``zh`` catalog translates
them. Strings that are Chinese data to begin with (diagram labels such as
等待单位审核, stored choices such as 国有企业) are their own message ids and
the ``en`` catalog translates those; they are marked ``N_`` where they are
defined and translated where they are shown (``label``). The web pages take
the language from the session; API calls from ``Accept-Language`` (default zh).
"""
from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, has_app_context, session
from flask.globals import _cv_request
from flask.json.provider import DefaultJSONProvider
from flask_babel import Babel, force_locale, get_translations, gettext, ngettext
from flask_babel.speaklater import LazyString
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from workflows import LABEL_SEPARATOR

from .domain import N_

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"

_n = ngettext


def translator(language: str | None = None) -> Callable[[str], str]:
    """The current language's ``gettext``, found once: a list of many rows translates with it.
    ``language``: the current language, when the caller has already asked for it (no other).

    ``gettext`` finds the catalog again on every call (~10 µs); this one costs a dictionary lookup.
    The catalogs are kept per language for the process: Flask-Babel finds one per request (it
    parses the locale again, ~150 Python calls), and a list page or a task's answer needs only this.
    """
    if not has_app_context():  # as Flask-Babel: no catalog outside one, every message as given
        return str
    language = language or current_language()
    catalog = _catalogs.get(language)
    if catalog is None:
        catalog = _catalogs[language] = get_translations()
    return catalog.ugettext


_catalogs: dict[str, Any] = {}


def _(string: str, **variables: Any) -> str:
    """Flask-Babel's ``gettext`` (the same catalog, the same formatting) through the catalog kept per
    language: Flask-Babel's finds the catalog on every call (~150 Python calls; a record's flow log
    translates a remark per entry)."""
    translated = translator()(string)
    return translated % variables if variables else translated


def _l(string: str, **variables: Any) -> LazyString:
    """A message translated when shown (``lazy_gettext``, through ``_``)."""
    return LazyString(_, string, **variables)


def text(value: Any, translate: Callable[[str], str]) -> str:
    """``str(value)`` through ``translate`` (a ``translator()``): a lazy message id (``_l``) is
    looked up in the catalog directly, not through Flask-Babel's per-call search (~55 Python calls)."""
    if isinstance(value, LazyString) and value._func in _GETTEXTS and len(value._args) == 1 and not value._kwargs:
        return translate(value._args[0])
    return str(value)


_GETTEXTS = (_, gettext)


def label(value: Any, translate: Callable[[str], str] | None = None) -> str:
    """Translate a data label (a diagram status, a stored choice); unknown ones show as they are.

    Labels of steps waiting side by side come joined (``等待原上级审核 / 等待新上级审核``):
    each part is translated.
    """
    if not value:
        return ""
    translate = translate or translator()
    text = str(value)
    if LABEL_SEPARATOR in text:
        return LABEL_SEPARATOR.join(translate(part) for part in text.split(LABEL_SEPARATOR))
    return translate(text)


_CHOSEN = "app.language"  # where a request keeps the language chosen for it (in its WSGI environ)


def select_locale() -> str:
    """The reader's language, chosen once a request (``Accept-Language`` took ~35 calls to match)."""
    context = _cv_request.get(None)  # what has_request_context reads, read once (two proxies cost ~12 calls)
    if context is None:  # a CLI command or job: the default
        return DEFAULT_LANGUAGE
    environ = context.request.environ
    chosen = environ.get(_CHOSEN)
    if chosen is None:
        chosen = environ[_CHOSEN] = _choose_language(environ)
    return chosen


def _choose_language(environ: dict[str, Any]) -> str:
    """The API's by ``Accept-Language``, the pages' by the session's choice (the language switch)."""
    if environ.get("PATH_INFO", "").lstrip("/").startswith("api/"):  # as ``request.path`` would tell
        return _best_language(environ.get("HTTP_ACCEPT_LANGUAGE", ""))
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


@functools.lru_cache(maxsize=256)
def _best_language(header: str) -> str:
    """``request.accept_languages.best_match`` of a header, matched once per header for the process
    (parsing and matching cost ~35 Python calls a request; clients send a few headers, again and again)."""
    return parse_accept_header(header, LanguageAccept).best_match(list(LANGUAGES), DEFAULT_LANGUAGE)


_forced: contextvars.ContextVar[str | None] = contextvars.ContextVar("forced_language", default=None)


@contextmanager
def force_language(language: str) -> Iterator[None]:
    """Speak ``language`` inside the block whatever the reader's (a printed record is in Chinese):
    Flask-Babel's ``gettext`` and this module's ``current_language``/``translator`` alike."""
    token = _forced.set(language)
    try:
        with force_locale(language):
            yield
    finally:
        _forced.reset(token)


def current_language() -> str:
    forced = _forced.get()
    if forced is not None:
        return forced
    try:
        return select_locale()
    except RuntimeError:  # outside a request (CLI): the default
        return DEFAULT_LANGUAGE


babel = Babel()

# marshmallow's own messages, as message ids: ``localise`` translates them where an error is shown.
_FIELD_MESSAGES: dict[str, dict[str, str]] = {
    "Field": {"required": N_("Required."), "null": N_("May not be empty."), "validator_failed": N_("Invalid value.")},
    "String": {"invalid": N_("Not a valid text."), "invalid_utf8": N_("Not a valid text.")},
    "Integer": {"invalid": N_("Not a whole number.")},
    "Number": {"invalid": N_("Not a number."), "too_large": N_("The number is too large.")},
    "Float": {"special": N_("Not a number.")},
    "Decimal": {"special": N_("Not a number.")},
    "Boolean": {"invalid": N_("Not true or false.")},
    "DateTime": {"invalid": N_("Not a valid date and time."), "invalid_awareness": N_("Not a valid date and time."),
                 "format": N_("Not a valid date and time.")},
    "Date": {"invalid": N_("Not a valid date (YYYY-MM-DD)."), "format": N_("Not a valid date (YYYY-MM-DD).")},
    "Mapping": {"invalid": N_("Not an object.")},
    "Dict": {"invalid": N_("Not an object.")},
    "List": {"invalid": N_("Not a list.")},
    "Nested": {"type": N_("Not an object.")},
}


def localise_marshmallow() -> None:
    """Give marshmallow our message ids (validators take translated ones: ``app/validation.py``)."""
    import marshmallow as ma

    for name, messages in _FIELD_MESSAGES.items():
        getattr(ma.fields, name).default_error_messages = {
            **getattr(ma.fields, name).default_error_messages, **messages}
    ma.Schema._default_error_messages = {"type": N_("Not an object."), "unknown": N_("Unknown field.")}


localise_marshmallow()  # before any schema is built: fields copy the messages when made


def localise(messages: Any) -> Any:
    """Field problems in the reader's language: every message id in them translated (others kept)."""
    if isinstance(messages, dict):
        return {key: localise(value) for key, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [localise(value) for value in messages]
    if isinstance(messages, str):
        return _(messages)
    return str(messages) if isinstance(messages, LazyString) else messages


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
    app.jinja_env.globals.update(_=_, label=label, LANGUAGES=LANGUAGES)
