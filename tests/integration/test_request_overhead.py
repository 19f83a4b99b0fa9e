"""What every request pays, made once: the app's sync check of its hooks and views (``app.App``)."""
from __future__ import annotations

import re

import pytest
from flask import Flask

from app import App


def test_each_hook_and_view_is_checked_once_and_handed_back_as_flask_would(app, api):
    assert isinstance(app, App)
    api.as_("unit_reviewer").get("/tasks")
    checked = dict(app._sync)
    assert checked, "the request's hooks and view went through ensure_sync"
    for func, sync in checked.items():
        assert sync is Flask.ensure_sync(app, func)
    api.as_("unit_reviewer").get("/tasks")
    assert app._sync == checked  # the same functions: nothing added


def test_a_coroutine_function_is_still_wrapped_as_flask_wraps_it(app):
    async def view():
        return "ok"

    try:
        expected = Flask.ensure_sync(app, view)
    except RuntimeError as exc:  # Flask's async extra (asgiref) is not installed: the same refusal
        with pytest.raises(RuntimeError, match=re.escape(str(exc))):
            app.ensure_sync(view)
        return
    wrapped = app.ensure_sync(view)
    assert wrapped is not view and wrapped() == expected() == "ok"


def test_the_cache_is_bounded(app, monkeypatch):
    monkeypatch.setattr(App, "SYNC_CACHE_SIZE", len(app._sync) + 1)
    functions = [lambda: None for _ in range(5)]
    for func in functions:
        assert app.ensure_sync(func) is func
    assert len(app._sync) <= App.SYNC_CACHE_SIZE
