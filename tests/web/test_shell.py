"""What every page shares: security headers, the language choice, a complete BM catalogue."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import refresh

from aduan.web.language import _safe_next
from tests.web.inbox.helpers import csrf

ROOT = Path(__file__).resolve().parents[2]


def test_security_headers_on_every_response(client):
    response = client.get("/healthz")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    # PUBLIC_BASE_URL is https in the test settings
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_language_switch_is_remembered_and_redirects_only_on_site(client):
    token = {"csrf_token": csrf(client, "/login")}  # a POST since issue #12 (was a GET)
    response = client.post("/bahasa/en?next=/healthz", data=token)
    assert response.status_code == 302 and response.headers["Location"] == "/healthz"
    with client.session_transaction() as session:
        assert session["lang"] == "en"
    response = client.post("/bahasa/ms?next=https://evil.example/x", data=token)
    assert response.headers["Location"] == "/"


def test_safe_next_refuses_other_sites():
    for bad in ("https://evil.example", "//evil.example/x", "javascript:alert(1)", "evil"):
        assert _safe_next(bad) == "/"
    assert _safe_next("/semak?ref=ADU-2026-AAAAA1") == "/semak?ref=ADU-2026-AAAAA1"


def test_base_page_renders_in_both_languages(app_ctx):
    app = app_ctx
    page = '{% extends "base.html" %}{% block content %}x{% endblock %}'
    with app.test_request_context("/?lang=en"):
        html = render_template_string(page)
        assert '<html lang="en">' in html and "Skip to content" in html
    with app.test_request_context("/?lang=ms"):
        refresh()  # the locale is cached on g, which both request contexts here share
        html = render_template_string(page)
        assert '<html lang="ms">' in html and "Langkau ke kandungan" in html


def test_every_string_in_code_and_templates_has_a_malay_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with (ROOT / "aduan/translations/ms/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f, locale="ms")
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(str(m) for m in wanted - translated)
    assert not missing, (
        "untranslated (run scripts/translations.sh update, then translate): "
        + ", ".join(missing[:20])
    )
