"""Application factory.

Configuration is layered: built-in defaults (``settings.py``) -> ``config.toml``
-> ``APP_*`` environment variables (``APP_POLICY__TOTAL_HOURS=96`` reaches into
a table) -> ``overrides`` from tests. Nothing reads the environment at import.
"""
from __future__ import annotations

import copy
import os
import secrets
import time
import tomllib
from pathlib import Path
from typing import Any

from flask import Flask

from . import db as transaction
from . import i18n
from .converters import init_converters
from .extensions import db, login_manager, migrate
from .settings import DEFAULTS, NESTED_SECTIONS

ROOT = Path(__file__).resolve().parent.parent


def _merge_sections(app: Flask, loaded: dict[str, Any]) -> None:
    """Merge a TOML/override mapping, keeping unspecified keys of nested tables."""
    for key, value in loaded.items():
        if key in NESTED_SECTIONS and isinstance(value, dict):
            app.config[key] = {**app.config.get(key, {}), **value}
        elif key.isupper():
            app.config[key] = value


def _configure(app: Flask, overrides: dict[str, Any] | None) -> None:
    app.config.from_mapping(copy.deepcopy(DEFAULTS))
    config_file = Path(os.environ.get("APP_CONFIG_FILE", ROOT / "config.toml"))
    if config_file.exists():
        with config_file.open("rb") as fh:
            _merge_sections(app, tomllib.load(fh))
    app.config.from_prefixed_env(prefix="APP")
    _merge_sections(app, overrides or {})
    if app.config["BPMN_FOLDER"] is None:
        app.config["BPMN_FOLDER"] = str(ROOT / "bpmn")


def _secret_key(app: Flask) -> None:
    """Use the configured key, else one random key per instance folder, made once.

    Every worker on the host reads the same file; the first to start writes it
    (``O_EXCL``, so two workers starting together cannot write different keys).
    """
    if app.config.get("SECRET_KEY"):
        if len(str(app.config["SECRET_KEY"])) < 16 and not app.config.get("TESTING"):
            raise RuntimeError("SECRET_KEY is too short: use at least 16 random characters")
        return
    path = Path(app.instance_path) / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker is writing it right now
            key = path.read_text(encoding="ascii").strip()
            if key:
                break
            time.sleep(0.01)
    else:
        key = secrets.token_hex(32)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key)
        app.logger.warning("No SECRET_KEY configured: made %s. Set APP_SECRET_KEY (the same on every "
                           "host) when more than one host serves the app.", path)
    if not key:
        raise RuntimeError(f"{path} is empty: delete it or set APP_SECRET_KEY")
    app.config["SECRET_KEY"] = key


def _trust_proxies(app: Flask) -> None:
    hops = int(app.config["TRUSTED_PROXIES"])
    if hops < 0:
        raise ValueError("TRUSTED_PROXIES must be 0 or more")
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


class App(Flask):
    """Flask, with each hook's and view's sync check made once per function: ``ensure_sync`` ran
    ``inspect.iscoroutinefunction`` (~26 Python calls) for every hook and view of every request."""

    SYNC_CACHE_SIZE = 4096  # hooks, views and error handlers are registered once; this is a bound

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._sync: dict[Any, Any] = {}

    def ensure_sync(self, func: Any) -> Any:
        known = self._sync.get(func)
        if known is None:
            known = super().ensure_sync(func)
            if len(self._sync) < self.SYNC_CACHE_SIZE:
                self._sync[func] = known
        return known


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = App(__name__, instance_path=str(ROOT / "instance"))
    _configure(app, overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _secret_key(app)
    init_converters(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    login_manager.init_app(app)
    i18n.init_app(app)
    transaction.init_app(app)

    from . import models  # noqa: F401  (register mappers before first use)
    from .api.v1 import init_api
    from .cli import register_cli
    from .services.engine import init_engine
    from .services.plugins import discover
    from .web import init_web

    _trust_proxies(app)
    app.extensions["plugins"] = discover()  # the process packages, with their models
    from .administrators.feature import FEATURE as administrators  # 管理单位管理员, 角色管理
    from .audit.feature import FEATURE as audit  # the auditors' search, export and verification
    from .courses.feature import FEATURE as courses  # the online courses (not a review process)
    from .organisations.feature import FEATURE as organisations  # org tree, departments, subordinate units
    from .people.feature import FEATURE as people  # staff import, person query, password help
    from .process_admin.feature import FEATURE as process_admin
    from .windows.feature import FEATURE as windows  # authorities' yearly windows and hour policy
    app.extensions["features"] = (courses, process_admin, audit, windows, administrators, organisations, people)
    init_engine(app)
    init_api(app)
    init_web(app)
    register_cli(app)
    return app
