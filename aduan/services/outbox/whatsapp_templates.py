"""The agency's approved WhatsApp templates: which settings hold them, which one a ticket's
language picks, and the variables each is sent with.

Templates per language: the settings hold the Bahasa Malaysia template, the same key with
``_en``, ``_zh`` or ``_ta`` the English, Chinese or Tamil one (``whatsapp_notice_template_en``…).
The ticket's language picks one; when it is missing, English stands in, then Bahasa Malaysia.
The chosen template's language is kept with the row's variables (key ``language``, never
sent as a variable): Meta needs it as the template's language code.
The 24-hour window that makes them necessary is ``whatsapp_window``'s.
"""

from __future__ import annotations

from aduan.extensions import db
from aduan.languages import CITIZEN_LANGUAGES, citizen_language
from aduan.models import OutboundMessage, Ticket
from aduan.services.outbox.texts import format_local, status_link

NOTICE_SETTING = {
    "whatsapp": "whatsapp_notice_template",
    "whatsapp_cloud": "whatsapp_cloud_notice_template",
}
ACK_SETTING = {"whatsapp": "whatsapp_ack_template", "whatsapp_cloud": "whatsapp_cloud_ack_template"}
LANGUAGES = CITIZEN_LANGUAGES
TEMPLATE_LANGUAGE = "language"  # in OutboundMessage.template_variables: not a variable


def template_setting(base: str, language: str) -> str:
    """The settings key of a template in ``language``: ``base`` for BM, ``base_en`` for EN…"""
    return base if language == "ms" else f"{base}_{language}"


def pick_template(settings: dict | None, base: str, language: str) -> tuple[str, str] | None:
    """(template, its language): the one in ``language``, else English's, else Bahasa
    Malaysia's; None when none is configured."""
    wanted = citizen_language(language)
    for candidate in dict.fromkeys((wanted, "en", "ms")):
        template = (settings or {}).get(template_setting(base, candidate))
        if template:
            return str(template), candidate
    return None


def split_variables(variables: dict | None) -> tuple[dict[str, str], str | None]:
    """A row's stored variables → (the template's variables, the template's language)."""
    stored = dict(variables or {})
    language = stored.pop(TEMPLATE_LANGUAGE, None)
    return {str(k): str(v) for k, v in stored.items()}, language


def notice_variables(ticket: Ticket) -> dict[str, str]:
    """``{{1}}`` the reference, ``{{2}}`` the status-page link."""
    return {"1": ticket.reference, "2": status_link(ticket)}


def acknowledgement_template(ticket: Ticket, channel: str) -> tuple[str, dict] | None:
    """The agency's acknowledgement template for ``channel`` in the ticket's language (else
    the other language's) and its variables ({{1}} the reference, {{2}} the expected
    resolution date, and the template's language), or None when none is configured."""
    setting = ACK_SETTING.get(channel)
    picked = setting and pick_template(ticket.agency.settings, setting, ticket.language)
    if not picked:
        return None
    template, language = picked  # the date in the template's own language
    variables = {
        "1": ticket.reference,
        "2": format_local(ticket.resolve_due_at, language),
        TEMPLATE_LANGUAGE: language,
    }
    return template, variables


def use_acknowledgement_template(row: OutboundMessage) -> bool:
    """An acknowledgement queued inside the window but sent after it becomes the agency's
    acknowledgement template, as if it had been queued outside; False when none is set."""
    ticket = db.session.get(Ticket, row.ticket_id) if row.ticket_id else None
    if row.purpose != "acknowledgement" or ticket is None:
        return False
    template = acknowledgement_template(ticket, row.channel)
    if template is None:
        return False
    row.template, row.template_variables = template
    return True
