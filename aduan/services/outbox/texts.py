"""What every message to a complainant is made of: how their channel names them, local dates in
their language and the link to their status page. Pure text helpers, below everything that sends."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from babel.dates import format_date, format_datetime
from flask import current_app

from aduan.languages import citizen_language
from aduan.models import Ticket
from aduan.services.channel_config.accounts import default_agency_id
from aduan.services.sla.clock import local_zone
from channels.registry import channels_where, manifest

# Complainants read every date and time in one pattern, the month named by Babel (CLDR) in the
# ticket's language: "3 Mac 2026, 17:00" / "3 March 2026, 17:00". A fixed pattern, because the
# "en" locale's own long format is American ("March 3, 2026").
DATE_TIME_PATTERN = "d MMMM y, HH:mm"
DATE_PATTERN = "d MMMM y"
# Chinese writes a date year first: "2026年3月3日 17:00".
DATE_TIME_PATTERNS = {"zh": "y年M月d日 HH:mm"}
DATE_PATTERNS = {"zh": "y年M月d日"}


def phone_channels() -> tuple[str, ...]:
    """The channels whose senders are known by their phone number (SMS, WhatsApp, voice…)."""
    return channels_where(identity="phone")


def identity_type(channel: str) -> str:
    """The kind of handle the channel's senders have, from its manifest (``phone`` for
    SMS, WhatsApp and voice, ``email``, ``telegram``…); an unknown channel names itself."""
    try:
        return manifest(channel).identity
    except LookupError:
        return channel


def identity_types(channel: str) -> tuple[str, ...]:
    """Every kind of handle the channel's senders may have: its manifest's ``identity``, then
    its ``other_identities`` (WhatsApp Cloud: ``phone``, ``whatsapp_user``)."""
    try:
        declared = manifest(channel)
    except LookupError:
        return (channel,)
    return (declared.identity, *declared.other_identities)


def sender_identity_type(channel: str, extra: dict | None) -> str:
    """The kind of one parsed message's sender handle: one of the channel's
    ``other_identities`` when the adapter named it (``extra["identity_type"]``), else the
    channel's own (a username-only WhatsApp user is ``whatsapp_user``, never ``phone``)."""
    kind = (extra or {}).get("identity_type")
    others = identity_types(channel)[1:]
    return kind if kind in others else identity_type(channel)


def reply_channel(channel: str) -> str | None:
    """The channel officers' answers to ``channel`` go out on: itself, the one its manifest
    names (voice → sms), or None when it has none (web form, counter: e-mail, else SMS)."""
    try:
        declared = manifest(channel)
    except LookupError:
        return None
    return channel if declared.replies else declared.reply_via


def reply_channels() -> tuple[str, ...]:
    """The channels offered on the ticket page as ways to reach the complainant."""
    return channels_where(replies=True, offered_for_replies=True)


def format_local(moment: dt.datetime | None, language: str) -> str:
    """``3 Mac 2026, 17:00`` / ``3 March 2026, 17:00`` / ``2026年3月3日 17:00``… in the
    agency-local time zone, by Babel in the citizen ``language``."""
    if moment is None:
        return "-"
    locale = citizen_language(language)
    pattern = DATE_TIME_PATTERNS.get(locale, DATE_TIME_PATTERN)
    return format_datetime(moment, pattern, tzinfo=local_zone(), locale=locale)


def format_local_date(day: dt.date, language: str) -> str:
    """``3 Mac 2026`` / ``3 March 2026``: a local calendar date in the same words as
    ``format_local`` (a new expected date, an extension)."""
    locale = citizen_language(language)
    return format_date(day, DATE_PATTERNS.get(locale, DATE_PATTERN), locale=locale)


def status_link(ticket: Ticket) -> str:
    """The status page of the ticket's agency (``/a/<code>/semak``); the default agency's is
    the national one (``/semak``), as before agencies had pages of their own."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if ticket.agency_id != default_agency_id():
        base = f"{base}/a/{quote(ticket.agency.code)}"
    return f"{base}/semak?ref={quote(ticket.reference)}"
