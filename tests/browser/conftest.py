"""Fixtures for the browser tests: a live server on the session app, Chromium through Playwright.

The whole folder is skipped when Debian's Chromium (/usr/bin/chromium) or the
Playwright package is missing; Playwright's own browser downloads are never
used (``playwright install`` is not part of the set-up). Every test here gets
the ``browser`` marker (``-m "not browser"`` leaves them out).

- ``live_server``: the session ``app`` served by werkzeug on 127.0.0.1 (a free
  port) in a daemon thread, for one test; it shares the test's database, so
  data made with ``world`` / ``api`` / ``make_trainee`` is what the pages show.
- ``browser`` (session) and ``page`` (one context, one page).
- ``new_page()``: a page in a fresh context (its own cookies and storage): one
  per person, so a trainee and two reviewers never share a session.
- ``login(page, username, password)``, ``shot(page, name)`` (full-page PNG in
  test-artifacts/screenshots/) and ``no_overflow(page)``.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.support.world import PASSWORD

try:
    from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - the dev requirements pin playwright
    sync_playwright = None  # type: ignore[assignment]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000


def _skip_reason() -> str | None:
    if sync_playwright is None:
        return "the Python package playwright is not installed (requirements-dev.txt)"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium); Playwright's downloads are not used"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real Chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    for item in items:
        if HERE not in Path(str(item.fspath)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


# -- the server -----------------------------------------------------------------------

@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The session app on http://127.0.0.1:<free port>, for one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- the browser ----------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Browser, live_server: str) -> Iterator[Callable[[], Page]]:
    """``new_page()`` -> a page in a fresh context (cookies and localStorage of its own)."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(base_url=live_server, viewport=dict(DESKTOP), locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


# -- helpers --------------------------------------------------------------------------

def do_login(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form (opens /login unless the page is already there)."""
    if "/login" not in page.url:
        page.goto("/login")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def take_shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def page_overflow(page: Page) -> dict[str, Any]:
    """How wide the document is against the viewport, and the widest offenders."""
    return page.evaluate("""() => {
        const vw = window.innerWidth;
        const wide = [];
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.width && r.right > vw + 1 && getComputedStyle(el).position !== 'fixed') {
                const classes = typeof el.className === 'string' && el.className.trim()
                    ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
                wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes
                          + ' right=' + Math.round(r.right));
            }
        }
        return {scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, offenders: wide.slice(0, 8)};
    }""")


def assert_no_overflow(page: Page) -> None:
    info = page_overflow(page)
    assert info["scrollWidth"] <= info["innerWidth"] + 1, \
        f"{page.url}: the page is {info['scrollWidth']}px wide in a {info['innerWidth']}px viewport; " \
        f"too wide: {info['offenders']}"


@pytest.fixture
def login() -> Callable[..., None]:
    return do_login


@pytest.fixture
def shot() -> Callable[[Page, str], Path]:
    return take_shot


@pytest.fixture
def no_overflow() -> Callable[[Page], None]:
    return assert_no_overflow
