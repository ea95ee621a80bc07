"""Choosing the interface language, remembered per person: citizen pages in Bahasa Malaysia,
English, 中文 or தமிழ் (``aduan.languages``), officer pages in Bahasa Malaysia or English."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, has_request_context, redirect, request, session
from flask_login import current_user

from aduan.extensions import db
from aduan.languages import CITIZEN_LANGUAGES, NATIVE_NAMES, OFFICER_LANGUAGES

LANGUAGES = CITIZEN_LANGUAGES
# The blueprints whose pages citizens read, in all four languages; every other page (the inbox,
# administration, reports) is in one of the officers' two and shows English for the others.
CITIZEN_BLUEPRINTS = frozenset({"public", "language"})
bp = Blueprint("language", __name__)


def select_locale() -> str:
    """?lang= (remembered), then the session, the officer's saved choice, the browser, BM.

    Outside a request (a worker, the shell) a lazily translated message, such as a domain
    refusal that ends up in a log, comes out in English: the language of the code and logs."""
    if not has_request_context():
        return "en"
    chosen = _chosen()
    if chosen in OFFICER_LANGUAGES or request.blueprint in CITIZEN_BLUEPRINTS:
        return chosen
    return "en"


def page_languages() -> tuple[str, ...]:
    """The languages the switcher offers on this page."""
    return CITIZEN_LANGUAGES if request.blueprint in CITIZEN_BLUEPRINTS else OFFICER_LANGUAGES


def _chosen() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in LANGUAGES:
        return current_user.locale
    best = request.accept_languages.best_match(("ms", "en", "zh", "zh-CN", "zh-Hans", "ta"))
    return best.split("-")[0] if best else "ms"


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute or scheme-relative URL (open redirect)."""
    if not target:
        return "/"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return "/"  # CR/LF would split the Location header
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@bp.post("/bahasa/<code>")
def switch(code: str):
    """Remember the choice (and save it on a signed-in officer): a POST with a CSRF token, so
    another site cannot change it for someone through a link or an image."""
    if code not in LANGUAGES:
        code = "ms"
    session["lang"] = code
    officer = getattr(current_user, "is_authenticated", False)
    if officer and code in OFFICER_LANGUAGES and current_user.locale != code:
        current_user.locale = code
        db.session.commit()
    return redirect(_safe_next(request.form.get("next") or request.args.get("next")))


@bp.get("/bahasa/<code>")
def switch_link(code: str):
    """An old bookmark or a link from elsewhere: go on to the page, changing nothing."""
    return redirect(_safe_next(request.args.get("next")))


def template_context() -> dict:
    from flask_babel import get_locale

    languages = page_languages() if has_request_context() else OFFICER_LANGUAGES
    return {
        "current_locale": str(get_locale() or "ms"),
        "page_languages": [(code, NATIVE_NAMES[code]) for code in languages],
        "citizen_languages": [(code, NATIVE_NAMES[code]) for code in CITIZEN_LANGUAGES],
    }
