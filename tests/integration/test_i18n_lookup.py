"""The app's own ``_``/``_l`` and the language chosen once a request (``app/i18n.py``) give what
Flask-Babel's ``gettext`` gives, in every language and outside a request."""
from __future__ import annotations

import pytest
from flask_babel import gettext, refresh

from app import i18n
from app.i18n import _, _l, force_language, text, translator

MESSAGES = [("Record not found.", {}), ("This step accepts: %(decisions)s.", {"decisions": "同意"}),
            ("Nobody can act on the step “%(step)s”: who should do it is not set up.", {"step": "单位审核"}),
            ("a message no catalog has", {})]


@pytest.mark.parametrize("header", ["zh-CN,zh;q=0.9", "en-US,en;q=0.8", "fr", None])
def test_the_same_translation_as_flask_babel(app, header):
    headers = {"Accept-Language": header} if header else {}
    with app.test_request_context("/api/v1/me", headers=headers):
        for message, variables in MESSAGES:
            assert _(message, **variables) == gettext(message, **variables)
            assert str(_l(message, **variables)) == gettext(message, **variables)
            assert text(_l(message), translator()) == gettext(message)
    with app.test_request_context("/api/v1/me", headers={"Accept-Language": "en"}):
        assert _("Record not found.") == "Record not found."
    with app.test_request_context("/api/v1/me"):
        assert _("Record not found.") != "Record not found."  # Chinese by default


def test_forced_language_and_no_request(app):
    with app.app_context():
        assert _("Record not found.") == gettext("Record not found.")  # the default language
        with force_language("en"):
            assert _("Record not found.") == gettext("Record not found.") == "Record not found."
    assert _("Record not found.") == gettext("Record not found.") == "Record not found."  # no app: as given


def test_the_language_is_chosen_once_a_request(app, monkeypatch):
    chosen = []
    real = i18n._choose_language
    monkeypatch.setattr(i18n, "_choose_language", lambda environ: chosen.append(1) or real(environ))
    with app.test_request_context("/api/v1/me", headers={"Accept-Language": "en"}):
        refresh()
        for _i in range(5):
            assert i18n.current_language() == "en"
        assert _("Record not found.") == "Record not found."
    assert len(chosen) == 1


@pytest.mark.parametrize("header", ["en", "en-US,en;q=0.9,zh;q=0.8", "zh-CN,zh;q=0.9,en;q=0.8", "en;q=0.1,zh;q=0.2",
                                    "fr-FR,fr;q=0.9", "*", "EN-gb", "", "zh-TW", "en;q=0", ";;;garbage,,"])
@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/tasks?per_page=5"])
def test_the_api_language_is_werkzeugs_best_match(app, header, path):
    """The header matched once per process gives what the request's own ``accept_languages`` gives."""
    from flask import request

    with app.test_request_context(path, headers={"Accept-Language": header}):
        expected = request.accept_languages.best_match(list(i18n.LANGUAGES), i18n.DEFAULT_LANGUAGE)
        assert request.path.startswith("/api/")
        assert i18n.current_language() == expected
    assert i18n._best_language(header) == expected


def test_a_page_speaks_the_sessions_language_whatever_the_header(app):
    with app.test_request_context("/inbox", headers={"Accept-Language": "en"}):
        assert i18n.current_language() == "zh"  # pages: the session's choice, Chinese by default
