"""What every message to a complainant is made of: how their channel names them, local dates in
their language and the link to their status page. Pure text helpers, below everything that sends."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import current_app

from aduan.models import Ticket

PHONE_CHANNELS = frozenset({"sms", "whatsapp", "whatsapp_cloud", "voice"})
MONTHS_MS = [
    "Januari",
    "Februari",
    "Mac",
    "April",
    "Mei",
    "Jun",
    "Julai",
    "Ogos",
    "September",
    "Oktober",
    "November",
    "Disember",
]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def identity_type(channel: str) -> str:
    """``phone`` for phone-number channels, ``email`` for e-mail, else the channel itself."""
    return "phone" if channel in PHONE_CHANNELS else channel


def format_local(moment: dt.datetime | None, language: str) -> str:
    """``3 Mac 2026, 17:00`` / ``3 March 2026, 17:00`` in the configured time zone."""
    if moment is None:
        return "-"
    local = moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    months = MONTHS_EN if language == "en" else MONTHS_MS
    return f"{local.day} {months[local.month - 1]} {local.year}, {local:%H:%M}"


def status_link(ticket: Ticket) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/semak?ref={quote(ticket.reference)}"
