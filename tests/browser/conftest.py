"""Real-browser harness: Playwright driving Debian's headless Chromium (never `playwright install`).

Fixtures
- ``browser`` (session): a launched Chromium (``/usr/bin/chromium``, or env ``ADUAN_CHROMIUM``).
  Missing browser = test FAILURE telling you to run ``scripts/ensure-browser.sh``.
- ``page`` (function): a fresh context + page, viewport 1280x800. Locale via
  ``@pytest.mark.browser_locale("ms-MY")`` (default ``en``); tablet via
  ``@pytest.mark.parametrize("page", ["tablet"], indirect=True)`` or the ``page_tablet`` fixture
  (820x1180). On teardown a full-page screenshot goes to
  ``test-artifacts/screenshots/<test name>.png``, plus ``<test name>-failed.png`` if the test
  failed.
- ``live_server`` (session): base URL (``http://127.0.0.1:<port>``) of the suite's ``app``
  served by werkzeug in a background thread. The server shares the test's PostgreSQL database:
  COMMIT what the browser must see (``db.session.commit()``) before navigating.
- ``wsgi_server`` (function): ``wsgi_server(any_wsgi_app) -> base_url``, stopped after the test.
- ``serve_wsgi(app)``: the context manager behind both, for use outside fixtures.

Every test under tests/browser is marked ``browser`` (deselect with ``-m "not browser"``).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("ADUAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps dialling Google services; on a closed network that is a
    # flood of refused connections and noisy logs.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}
VIEWPORTS = {"desktop": DESKTOP, "tablet": TABLET}
DEFAULT_LOCALE = "en"
TIMEZONE = "Asia/Kuala_Lumpur"
DEFAULT_TIMEOUT_MS = 10_000

_REPORTS = pytest.StashKey[dict]()
_HERE = Path(__file__).resolve().parent


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser_locale(locale): browser context locale for the `page` fixture"
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def node_failed(node) -> bool:
    """True when the setup or call phase of ``node`` failed (so far)."""
    reports = node.stash.get(_REPORTS, {})
    return any(r.failed for r in reports.values())


def screenshot_dir(config) -> Path:
    return Path(config.rootpath) / "test-artifacts" / "screenshots"


def screenshot_name(node_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", node_name).strip("._")[:150] or "test"


def save_screenshot(page, node, suffix: str = "") -> Path:
    """Full-page PNG of ``page`` at test-artifacts/screenshots/<node name><suffix>.png."""
    path = screenshot_dir(node.config) / f"{screenshot_name(node.name)}{suffix}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run scripts/ensure-browser.sh "
            "(installs Debian's chromium) or set ADUAN_CHROMIUM",
            pytrace=False,
        )
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as pw:
        try:
            instance = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        except Error as exc:
            pytest.fail(
                f"Chromium at {CHROMIUM} did not start ({exc}); "
                "run scripts/ensure-browser.sh and check `chromium --version`",
                pytrace=False,
            )
        yield instance
        instance.close()


def _open_page(request, browser, viewport: dict) -> Iterator:
    param = getattr(request, "param", None)
    if isinstance(param, str):
        viewport = VIEWPORTS[param]
    elif isinstance(param, dict):
        viewport = param.get("viewport", viewport)
    marker = request.node.get_closest_marker("browser_locale")
    locale = (param or {}).get("locale") if isinstance(param, dict) else None
    locale = locale or (marker.args[0] if marker else DEFAULT_LOCALE)

    context = browser.new_context(viewport=viewport, locale=locale, timezone_id=TIMEZONE)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        try:
            if not page.is_closed():
                save_screenshot(page, request.node)
                if node_failed(request.node):
                    save_screenshot(page, request.node, "-failed")
        finally:
            context.close()


@pytest.fixture
def page(request, browser):
    """Desktop page (1280x800). Indirect params: "desktop", "tablet" or {"viewport", "locale"}."""
    yield from _open_page(request, browser, DESKTOP)


@pytest.fixture
def page_tablet(request, browser):
    """Tablet page (820x1180, portrait)."""
    yield from _open_page(request, browser, TABLET)


@contextlib.contextmanager
def serve_wsgi(wsgi_app) -> Iterator[str]:
    """Serve ``wsgi_app`` on 127.0.0.1:<free port> in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(app):
    """Base URL of the suite's Flask ``app`` (tests/conftest.py), served for the whole session."""
    with serve_wsgi(app) as url:
        yield url


@pytest.fixture
def wsgi_server():
    """``wsgi_server(app) -> base_url``: serve any WSGI app until the end of this test."""
    with contextlib.ExitStack() as stack:
        yield lambda wsgi_app: stack.enter_context(serve_wsgi(wsgi_app))
