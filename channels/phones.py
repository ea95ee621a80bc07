"""Phone numbers as one canonical handle: E.164, default region Malaysia.

SMS, WhatsApp (Twilio ``whatsapp:+60…`` or Meta ``60…`` wa_id) and voice from one number must map
to one complainant, so every phone-based adapter normalises through here.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "MY"
# A WhatsApp wa_id/``from`` that is a phone number: digits only (country code, no ``+``).
_WA_PHONE = re.compile(r"\+?[0-9]{6,20}")
_PREFIXES = ("whatsapp:", "tel:", "sms:")


def strip_channel_prefix(raw: str) -> str:
    """``whatsapp:+60123456789`` → ``+60123456789``; other values unchanged (but trimmed)."""
    value = raw.strip()
    for prefix in _PREFIXES:
        if value.lower().startswith(prefix):
            return value[len(prefix) :].strip()
    return value


@lru_cache(maxsize=4096)  # a pure function called several times per inbound message
def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """E.164 for anything ``phonenumbers`` can parse (``012-345 6789`` → ``+60123456789``).

    A value that is not a phone number (a Twilio short code, an alphanumeric sender id) is
    returned stripped of its channel prefix rather than rejected: it still identifies the sender.
    """
    value = strip_channel_prefix(raw)
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_possible_number(number):
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_wa_id(wa_id: str) -> str:
    """A WhatsApp Cloud API ``wa_id``/``from`` (country code, no ``+``) in E.164."""
    digits = wa_id.strip().lstrip("+")
    return normalise_phone("+" + digits)


def whatsapp_address(handle: str) -> str:
    """The Twilio WhatsApp address for a handle: ``whatsapp:+60123456789``."""
    return "whatsapp:" + normalise_phone(handle)


def is_wa_phone(value: str | None) -> bool:
    """True for a WhatsApp ``wa_id``/``from`` that is a phone number (digits); False for a
    business-scoped user id (``MY.1502576394655843``) or nothing."""
    return bool(value) and _WA_PHONE.fullmatch(value.strip()) is not None
