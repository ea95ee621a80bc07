"""Proof that the real-browser harness works: Chromium, live server, clicks, screenshots."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from flask import Flask, Response
from playwright.sync_api import expect

from tests.browser.conftest import save_screenshot, screenshot_name

REPO = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

PAGE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harness</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script></head>
<body><main><h1>Browser harness</h1>
<p id="greeting">Belum diklik</p>
<button id="go" type="button">Klik saya</button></main></body></html>
"""
PAGE_CSS = """
body { font-family: sans-serif; background: linear-gradient(#e8f0fe, #fff); margin: 2rem; }
h1 { color: #1a3d7c; } button { font-size: 1.2rem; padding: .5rem 1rem; }
"""
PAGE_JS = """
document.getElementById("go").addEventListener("click", function () {
  document.getElementById("greeting").textContent = "Terima kasih!";
});
"""


def throwaway_app() -> Flask:
    app = Flask("harness_throwaway")

    @app.after_request
    def csp(response):
        # No inline script allowed: the click handler must come from the external file.
        response.headers["Content-Security-Policy"] = "default-src 'self'"
        return response

    @app.get("/")
    def index():
        return Response(PAGE_HTML, mimetype="text/html")

    @app.get("/static/app.js")
    def app_js():
        return Response(PAGE_JS, mimetype="text/javascript")

    @app.get("/static/app.css")
    def app_css():
        return Response(PAGE_CSS, mimetype="text/css")

    @app.get("/favicon.ico")
    def favicon():
        return Response(status=204)

    return app


def test_healthz_through_live_server(live_server, page):
    response = page.goto(f"{live_server}/healthz")
    assert response is not None
    assert response.status == 200, page.content()
    assert '"status":"ok"' in page.inner_text("body").replace(" ", "")


def test_click_runs_external_script_and_screenshot_is_written(wsgi_server, page, request):
    base = wsgi_server(throwaway_app())
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))

    page.goto(base + "/")
    greeting = page.locator("#greeting")
    expect(greeting).to_have_text("Belum diklik")
    page.get_by_role("button", name="Klik saya").click()
    expect(greeting).to_have_text("Terima kasih!")
    assert errors == []

    path = save_screenshot(page, request.node)
    assert path.name == f"{screenshot_name(request.node.name)}.png"
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 1024


def test_tablet_page_has_tablet_viewport(page_tablet):
    assert page_tablet.viewport_size == {"width": 820, "height": 1180}
    assert page_tablet.evaluate("window.innerWidth") == 820


@pytest.mark.browser_locale("ms-MY")
@pytest.mark.parametrize("page", ["desktop", "tablet"], indirect=True)
def test_locale_marker_and_viewport_param(page):
    assert page.evaluate("navigator.language") == "ms-MY"
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Asia/Kuala_Lumpur"
    assert page.evaluate("window.innerWidth") in (1280, 820)


def test_teardown_writes_screenshots_and_failed_copy(tmp_path):
    """Runs a tiny suite in a subprocess: a pass and a fail, then checks the teardown artifacts."""
    (tmp_path / "conftest.py").write_text("from tests.browser.conftest import *  # noqa: F403\n")
    (tmp_path / "test_inner.py").write_text(
        textwrap.dedent(
            """
            def test_passes(page):
                page.set_content("<h1>passes</h1>")

            def test_fails(page):
                page.set_content("<h1>fails</h1>")
                assert False, "deliberate"
            """
        )
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert "1 failed, 1 passed" in result.stdout, result.stdout + result.stderr
    shots = tmp_path / "test-artifacts" / "screenshots"
    assert sorted(p.name for p in shots.iterdir()) == [
        "test_fails-failed.png",
        "test_fails.png",
        "test_passes.png",
    ]
