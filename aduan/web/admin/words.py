"""Admin pages in human words: role, channel and setting names as people say them (BM/EN),
with a hint for each channel setting, instead of the names the code uses (``complaint_manager``,
``whatsapp_cloud``, ``imap_url``). Unknown names fall back to the adapter's own description."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from aduan.vocabulary import Role
from aduan.web.admin.blueprint import bp
from channels.base import Setting
from channels.registry import get_adapter_class

CHANNELS = {
    "web": _l("Web form"), "email": _l("E-mail"), "sms": _l("SMS (Twilio)"),
    "whatsapp": _l("WhatsApp (Twilio)"), "whatsapp_cloud": _l("WhatsApp (Meta Cloud API)"),
    "voice": _l("Voice mail (Twilio)"), "telegram": _l("Telegram bot"),
    "messenger": _l("Facebook Messenger"), "instagram": _l("Instagram"), "x": _l("X (Twitter)"),
    "counter": _l("Counter"), "phone": _l("Telephone"), "open311": _l("Open311 app"),
}  # fmt: skip

# key → (label, hint)
SETTINGS = {
    "imap_url": (
        _l("Incoming mail server (IMAP)"),
        _l("imaps://user:password@mail.example.gov.my/INBOX — the mailbox complaints arrive in"),
    ),
    "smtp_url": (
        _l("Outgoing mail server (SMTP)"),
        _l("smtps://user:password@mail.example.gov.my:465 — replies leave through it"),
    ),
    "mail_from": (_l("Sender of replies"), _l("e.g. Aduan MBDJ <aduan@mbdj.gov.my>")),
    "reply_to": (_l("Reply-to address"), _l("Optional: where citizens' answers to replies go")),
    "message_id_domain": (_l("Domain of our message ids"), _l("Optional; default: the sender's")),
    "inbound_token": (
        _l("Token for mail posted by your mail server"),
        _l("Optional: the X-Aduan-Token header of mail delivered by HTTP"),
    ),
    "account_sid": (_l("Twilio account SID"), _l("Starts with AC; in the Twilio console")),
    "auth_token": (_l("Twilio auth token"), _l("In the Twilio console, beside the account SID")),
    "sms_number": (_l("SMS number"), _l("The Twilio number, international form: +60…")),
    "whatsapp_number": (_l("WhatsApp number"), _l("whatsapp:+60… as Twilio shows it")),
    "bot_token": (_l("Bot token"), _l("From @BotFather, e.g. 123456:ABC…")),
    "webhook_secret": (
        _l("Webhook secret"),
        _l("Any long random text; Telegram sends it with every message"),
    ),
    "app_secret": (_l("Meta app secret"), _l("Checks the signature of every message from Meta")),
    "verify_token": (
        _l("Webhook verify token"),
        _l("The same text you type in Meta's webhook setup"),
    ),
    "access_token": (_l("Meta access token"), _l("A system-user token with messaging permission")),
    "phone_number_id": (_l("WhatsApp phone number id"), _l("A number in Meta's WhatsApp Manager")),
    "consumer_secret": (
        _l("X consumer secret"),
        _l("Checks the signature of every message from X"),
    ),
    "bearer_token": (
        _l("X user token"),
        _l("A user-context token allowed to send direct messages"),
    ),
    "transcribe": (_l("Transcribe voice messages"), _l("ya or tidak")),
    "max_recording_seconds": (_l("Longest voice message"), _l("in seconds")),
    "greeting_ms": (_l("Spoken greeting in Bahasa Malaysia"), ""),
    "greeting_en": (_l("Spoken greeting in English"), ""),
    "template_language": (_l("Template language code (BM)"), _l("As approved by Meta, e.g. ms")),
    "template_language_en": (_l("Template language code (English)"), _l("e.g. en")),
}


def _locale() -> str:
    return "en" if str(get_locale() or "ms").startswith("en") else "ms"


def role_label(value: str) -> str:
    """``complaint_manager`` → "Pengurus Aduan" / "Complaint manager"."""
    try:
        return Role(value).label(_locale())
    except ValueError:
        return value


def role_labels(values) -> str:
    """Several roles in words, comma-separated."""
    return ", ".join(role_label(v) for v in values or [])


def channel_label(channel: str) -> str:
    """``whatsapp_cloud`` → "WhatsApp (Meta Cloud API)"."""
    if channel in CHANNELS:
        return str(CHANNELS[channel])
    try:
        return get_adapter_class(channel).display_name or channel
    except LookupError:
        return channel


def setting_label(key: str, channel: str | None = None) -> str:
    """A channel setting's name in words (``imap_url`` → "Incoming mail server (IMAP)")."""
    if key in SETTINGS:
        return str(SETTINGS[key][0])
    return _described(key, channel) or key.replace("_", " ").capitalize()


def setting_hint(key: str, channel: str | None = None) -> str:
    """What to type in a channel setting (an example, a unit, where to find it)."""
    if key in SETTINGS:
        return str(SETTINGS[key][1])
    return _described(key, channel)


def _described(key: str, channel: str | None) -> str:
    if channel is None:
        return ""
    try:
        manifest = get_adapter_class(channel).manifest
    except (LookupError, AttributeError):
        return ""
    for setting in (*manifest.credentials, *manifest.settings):
        if isinstance(setting, Setting) and setting.key == key:
            return setting.description
    return ""


# Template filters on every page (registered once, when this module is first imported).
bp.app_template_filter("role_label")(role_label)
bp.app_template_filter("role_labels")(role_labels)
bp.app_template_filter("channel_label")(channel_label)
bp.app_template_filter("setting_label")(setting_label)
