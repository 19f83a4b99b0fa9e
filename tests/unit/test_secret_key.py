"""The session-signing key: configured, or made once per instance folder and shared by its workers."""
from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask

from app import _secret_key


def _app(folder, **config) -> Flask:
    app = Flask("probe", instance_path=str(folder))
    app.config.update({"SECRET_KEY": None, **config})
    return app


def test_without_a_key_one_is_made_once_and_reused(tmp_path):
    first = _app(tmp_path)
    _secret_key(first)
    key = first.config["SECRET_KEY"]
    assert len(key) == 64 and (tmp_path / "secret_key").read_text() == key
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    again = _app(tmp_path)
    _secret_key(again)
    assert again.config["SECRET_KEY"] == key  # a restart (or another worker) signs alike


def test_workers_starting_together_agree_on_one_key(tmp_path):
    def start(_):
        app = _app(tmp_path)
        _secret_key(app)
        return app.config["SECRET_KEY"]
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(start, range(16)))
    assert len(keys) == 1


def test_a_configured_key_is_used_and_no_file_written(tmp_path):
    app = _app(tmp_path, SECRET_KEY="a-long-enough-configured-key")
    _secret_key(app)
    assert app.config["SECRET_KEY"] == "a-long-enough-configured-key"
    assert not (tmp_path / "secret_key").exists()


def test_a_short_configured_key_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="too short"):
        _secret_key(_app(tmp_path, SECRET_KEY="short"))
