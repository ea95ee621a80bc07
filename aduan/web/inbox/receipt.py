"""The receipt slip a walk-in citizen takes away from the counter: reference, PIN (anonymous
entries), deadlines, and the status page's address as text and as a QR code drawn here — in
the citizen's language, whatever the officer's screen speaks."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from markupsafe import Markup

from aduan.languages import citizen_language
from aduan.models import Ticket
from aduan.services.citizen import agency_pages
from aduan.services.outbox.texts import status_link
from aduan.web.qr import qr_svg


def slip(ticket: Ticket, pin: str | None) -> Markup:
    """The slip's HTML, rendered in the ticket's language (the one the citizen chose)."""
    language = citizen_language(ticket.language)
    link = status_link(ticket)
    with force_locale(language):
        html = render_template(
            "inbox/receipt_slip.html", ticket=ticket, pin=pin, link=link, language=language,
            agency=agency_pages.profile(ticket.agency), qr=qr_svg(link, scale=3),
        )  # fmt: skip
    return Markup(html)  # noqa: S704 (our own template, autoescaped)
