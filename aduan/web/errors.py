"""One error shape for JSON (code, message, description, errors), negotiated with HTML;
``/api/v1`` answers RFC 9457 problem details (``web/api/problems.py``).

HTML error pages are rendered in the layout of the area they happened in — the officers'
(``/inbox``, ``/admin``, ``/exports``, sign-in: back to the queue) or the citizens'
(everything else: back to the agency's or the national home page) — in the language the rest
of the site chose for the request, with an explanation in that language and a way back.
Should the layout itself fail (a database outage behind a 500), a plain page in the same
language is the last resort.
"""

from __future__ import annotations

import logging

from flask import g, jsonify, render_template, render_template_string, request
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from aduan.errors import DomainError
from aduan.web.api import open311, problems

log = logging.getLogger(__name__)

OFFICER_PATHS = ("/inbox", "/admin", "/exports", "/reports", "/login", "/logout")
OFFICER_BLUEPRINTS = ("inbox", "inbox_actions", "auth", "admin", "exports", "reports")
TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please sign in"),
    403: _l("You may not do this"),
    404: _l("Page not found"),
    405: _l("This page cannot be used this way"),
    409: _l("Someone else changed this first"),
    413: _l("What you sent is too large"),
    422: _l("Some details need correcting"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on our side"),
}
EXPLANATIONS = {
    400: _l("Check what you entered and try again."),
    401: _l("Sign in, then open the page again."),
    403: _l("Your role does not allow this. Ask your administrator if you need it."),
    404: _l("The address may be mistyped, or the page moved or is not yours to see."),
    405: _l("Go back and use the buttons and links on the page."),
    409: _l("Reload the page to see the latest version, then try again."),
    413: _l("Send smaller files, or fewer at once."),
    422: _l("Go back, correct the details and send them again."),
    429: _l("Wait a minute, then try again."),
    500: _l("We have been told. Please try again in a few minutes."),
}
CSRF_TITLE = _l("This form has expired")
CSRF_EXPLANATION = _l("Go back, reload the page and send the form again.")

_PLAIN = """<!doctype html><html lang="{{ lang }}"><head><meta charset="utf-8">
<title>{{ code }} · {{ title }}</title></head><body><main><h1>{{ title }}</h1>
<p>{{ explanation }}</p><p><a href="/">{{ home }}</a></p></main></body></html>"""


class HumanMessage(str):
    """A domain message already translated for the reader (shown on the error page)."""


def _wants_json() -> bool:
    if request.path.startswith(("/api/", "/webhooks/", "/healthz")):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def is_officer_area() -> bool:
    """Whether the failing request was on an officer page (else a citizen's)."""
    return request.blueprint in OFFICER_BLUEPRINTS or request.path.startswith(OFFICER_PATHS)


def _respond(status: int, code: str, message, description: str = "", errors=None, title=None):
    if problems.in_api():  # /api/v1 speaks RFC 9457 problem details only
        return problems.problem(status, code, str(message), description, errors)
    if open311.in_open311():  # GeoReport's own error list, in the format asked
        return open311.error_response(status, str(description or message))
    if _wants_json():
        body = {"code": code, "message": str(message), "description": description}
        body["errors"] = errors or {}
        return jsonify(body), status
    return error_page(status, message, title), status


def error_page(status: int, message=None, title=None) -> str:
    """The HTML page of an error ``status`` in the area's layout and the request's language.
    ``message`` is shown when it was written for people (a translated domain message)."""
    shown = str(message) if isinstance(message, LazyString | HumanMessage) else None
    title = str(title or TITLES.get(status) or TITLES[500 if status >= 500 else 400])
    explanation = str(EXPLANATIONS.get(status) or EXPLANATIONS[500 if status >= 500 else 400])
    officer = is_officer_area()
    context = {"status": status, "title": title, "explanation": explanation, "detail": shown,
               "officer": officer, "language_links": True}  # fmt: skip
    try:
        if officer and current_user.is_authenticated:
            context.update(_officer_shell())
        elif not officer and request.blueprint != "public":
            context.update(_public_shell())
        layout = "inbox/layout.html" if officer else "public/layout.html"
        return render_template("errors/page.html", layout=layout, **context)
    except Exception:  # the layout needs the database; the answer must not fail with it
        log.exception("error page fell back to plain status=%s", status)
        lang = str(get_locale() or "ms")
        home = _l("Back to the home page")
        return render_template_string(_PLAIN, lang=lang, code=status, home=home, **context)


def _officer_shell() -> dict:
    """What ``inbox/layout.html`` expects of a signed-in officer's page."""
    from aduan.services.inbox.notifications import unread_count
    from aduan.services.inbox.queries import QUEUES

    return {"queue_names": QUEUES, "unread_notifications": unread_count(current_user)}


def _public_shell() -> dict:
    """An address no citizen page matched: still the agency's layout when the path
    (``/a/<code>/…``) or the host names one, and its links stay on its pages."""
    from aduan.services.citizen import agency_pages

    parts = request.path.split("/")
    code = parts[2] if len(parts) > 2 and parts[1] == "a" and parts[2] else None
    try:
        agency = agency_pages.page_agency(code, request.host)
    except LookupError:
        return {}
    if agency is None:
        return {}
    g.public_agency_code = agency.code if code else None
    return {"page_agency": agency_pages.profile(agency)}


def register(app) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        message = HumanMessage(exc.message) if exc.for_people else exc.message
        return _respond(exc.status, exc.code, message, errors=exc.errors)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _respond(400, "csrf_failed", CSRF_TITLE, exc.description or "", title=CSRF_TITLE)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        return _respond(exc.code or 500, code, exc.name, exc.description or "")
