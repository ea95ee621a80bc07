"""Twilio Programmable Messaging: SMS and WhatsApp.

Inbound messages and delivery-status callbacks may post to the same webhook. A form with
``MessageStatus`` and no ``Body`` is a status callback (inbound messages carry ``Body``, even
when it is empty, and ``SmsStatus=received`` rather than ``MessageStatus``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import mimetypes
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from channels.base import (
    ChannelAdapter,
    ChannelError,
    ChannelManifest,
    DeliveryStatus,
    InboundAttachment,
    InboundMessage,
    OutboundRequest,
    ParseError,
    RawEvent,
    RawRequest,
    SendResult,
    Setting,
    Webhook,
)
from channels.phones import normalise_phone, whatsapp_address
from channels.registry import register

log = logging.getLogger(__name__)

BODY_LIMIT = 1600  # Twilio rejects longer bodies (error 21617)
OUTSIDE_WINDOW = 63016  # WhatsApp free-form message outside the 24-hour window
_STATUS_MAP = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "queued",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}


class BaseUrlHttpClient(TwilioHttpClient):
    """Sends every Twilio REST call to ``base_url`` instead of api.twilio.com (tests, proxies)."""

    def __init__(self, base_url: str | None = None, timeout: float = 15.0):
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/") if base_url else None

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if self.base_url:
            base = urlsplit(self.base_url)
            parts = urlsplit(url)
            path = base.path + parts.path
            url = urlunsplit((base.scheme, base.netloc, path, parts.query, ""))
        return super().request(method, url, *args, **kwargs)


def twilio_client(account: Mapping[str, Any]) -> Client:
    """A REST client for the account; ``api_base_url`` (tests only) redirects it."""
    http_client = BaseUrlHttpClient(account.get("api_base_url"), account.get("timeout", 15.0))
    return Client(account["account_sid"], account["auth_token"], http_client=http_client)


def check_twilio_account(account: Mapping[str, Any]) -> str:
    """GET the account resource (Twilio's cheapest authenticated read); its friendly name."""
    if not account.get("account_sid") or not account.get("auth_token"):
        raise ChannelError("the account SID and the auth token are both needed", retryable=False)
    try:
        found = twilio_client(account).api.v2010.accounts(account["account_sid"]).fetch()
    except TwilioRestException as exc:
        raise ChannelError(f"twilio refused: {exc.status} {exc.msg}", retryable=False) from None
    except requests.RequestException as exc:
        raise ChannelError(f"twilio unreachable: {type(exc).__name__}", retryable=True) from None
    return f"{found.friendly_name} ({found.status})"


def verify_twilio_signature(auth_token: str, request: RawRequest) -> bool:
    """Check ``X-Twilio-Signature`` against the public URL and the posted form."""
    signature = request.header("X-Twilio-Signature")
    if not signature or not auth_token:
        return False
    return RequestValidator(auth_token).validate(request.url, dict(form_of(request)), signature)


def form_of(request: RawRequest) -> Mapping[str, str]:
    """The posted form: ``request.form`` when the web layer decoded it, else the raw body."""
    if request.form:
        return request.form
    try:
        return dict(
            parse_qsl(request.body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        )
    except UnicodeDecodeError as exc:
        raise ParseError(f"twilio form is not UTF-8: {exc}")


def media_attachments(
    form: Mapping[str, str], auth: tuple[str, str]
) -> tuple[InboundAttachment, ...]:
    """``MediaUrl{N}``/``MediaContentType{N}`` as attachments fetched with the account's creds."""
    try:
        count = int(form.get("NumMedia") or 0)
    except ValueError:
        count = 0
    attachments = []
    for i in range(count):
        url = form.get(f"MediaUrl{i}")
        if not url:
            continue
        content_type = form.get(f"MediaContentType{i}") or "application/octet-stream"
        ext = mimetypes.guess_extension(content_type) or ""
        attachments.append(
            InboundAttachment(
                filename=f"media{i}{ext}", content_type=content_type, url=url, auth=auth
            )
        )
    return tuple(attachments)


def channel_error(exc: Exception) -> ChannelError:
    """Map a Twilio/transport failure to a ChannelError with the right ``retryable``."""
    if isinstance(exc, TwilioRestException):
        code = str(exc.code) if exc.code is not None else str(exc.status)
        if exc.code == OUTSIDE_WINDOW:
            return ChannelError("whatsapp: outside the 24-hour window", code=code, retryable=False)
        retryable = exc.status >= 500 or exc.status == 429
        return ChannelError(f"twilio error {code}: {exc.msg}", code=code, retryable=retryable)
    return ChannelError(f"twilio unreachable: {type(exc).__name__}", retryable=True)


def chunk_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters, preferring whitespace breaks."""
    chunks = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit + 1)
        cut = cut if cut > limit // 2 else limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    chunks.append(text)
    return chunks


TWILIO_BODY_LIMIT = 64 * 1024
TWILIO_CREDENTIALS = (
    Setting("account_sid", "Twilio account SID", env="TWILIO_ACCOUNT_SID"),
    Setting("auth_token", "Twilio auth token", secret=True, env="TWILIO_AUTH_TOKEN"),
)
STATUS_PATH = "/twilio/status"
STATUS_WEBHOOK = Webhook(STATUS_PATH, "twilio_status", body_limit=TWILIO_BODY_LIMIT)


class _TwilioMessaging(ChannelAdapter):
    """Shared by SMS and WhatsApp: same webhook shape, same REST resource."""

    number_key: str = ""
    media_hosts = ("api.twilio.com", "*.twiliocdn.com")

    def verify(self, request: RawRequest) -> bool:
        """True when ``X-Twilio-Signature`` matches this account's auth token."""
        return verify_twilio_signature(self.account.get("auth_token", ""), request)

    def check_connection(self) -> str:
        """Fetch the Twilio account itself: its name when the SID and token are right."""
        return check_twilio_account(self.account)

    def split(self, request: RawRequest) -> list[RawEvent]:
        """One event per request: an inbound message or a status callback."""
        form = dict(form_of(request))
        sid = form.get("MessageSid") or form.get("SmsSid")
        if not sid:
            raise ParseError("twilio webhook without MessageSid")
        if "MessageStatus" in form and "Body" not in form:
            status = form["MessageStatus"]
            return [RawEvent(self.type, "status", f"{sid}:{status}", form)]
        return [RawEvent(self.type, "message", sid, form, sender=form.get("From"))]

    def parse(self, event: RawEvent) -> list[InboundMessage]:
        """The stored form as one InboundMessage (sender in E.164)."""
        form = event.payload
        if not form.get("From"):
            raise ParseError("twilio message without From")
        auth = (self.account.get("account_sid", ""), self.account.get("auth_token", ""))
        message = InboundMessage(
            channel=self.type,
            provider_id=form.get("MessageSid") or event.provider_id,
            sender_handle=normalise_phone(form["From"]),
            text=form.get("Body", ""),
            received_at=dt.datetime.now(dt.UTC),  # Twilio's inbound webhook carries no timestamp
            sender_name=form.get("ProfileName") or None,
            attachments=media_attachments(form, auth),
            extra={"to": normalise_phone(form.get("To", ""))},
        )
        return [message]

    def parse_status(self, event: RawEvent) -> list[DeliveryStatus]:
        """``MessageStatus`` mapped to queued/sent/delivered/read/failed, with ``ErrorCode``."""
        form = event.payload
        status = _STATUS_MAP.get(form.get("MessageStatus", ""))
        if status is None:
            return []
        error = form.get("ErrorCode") or None
        return [DeliveryStatus(provider_id=form["MessageSid"], status=status, error=error)]

    def send(self, message: OutboundRequest) -> SendResult:
        """Send through the Messages API; long texts go as several messages (last SID returned)."""
        client = twilio_client(self.account)
        params: dict[str, Any] = {"from_": self._address(self.account[self.number_key])}
        params["to"] = self._address(message.to_handle)
        if message.status_callback_url:
            params["status_callback"] = message.status_callback_url
        if message.template:
            variables = json.dumps(message.template_variables, ensure_ascii=False)
            bodies = [{"content_sid": message.template, "content_variables": variables}]
        else:
            bodies = [{"body": body} for body in chunk_text(message.text, BODY_LIMIT)]
        try:
            for body in bodies:
                created = client.messages.create(**params, **body)
        except (TwilioRestException, requests.RequestException) as exc:
            error = channel_error(exc)
            log.warning("twilio send failed channel=%s code=%s", self.type, error.code)
            raise error
        status = "queued" if created.status in ("queued", "accepted", "scheduled") else "sent"
        return SendResult(provider_id=created.sid, status=status)

    def _address(self, handle: str) -> str:
        return normalise_phone(handle)


@register
class TwilioSmsAdapter(_TwilioMessaging):
    """SMS through Twilio.

    Account keys beyond the manifest: ``api_base_url`` (None in production; tests point it at
    a fake Twilio), ``timeout``.
    """

    type = "sms"
    display_name = "SMS (Twilio)"
    manifest = ChannelManifest(
        label_en="SMS",
        label_ms="SMS",
        identity="phone",
        credentials=(
            *TWILIO_CREDENTIALS,
            Setting("sms_number", "E.164 sender number", env="TWILIO_SMS_NUMBER"),
        ),
        webhooks=(Webhook("/twilio/sms", "sms", body_limit=TWILIO_BODY_LIMIT), STATUS_WEBHOOK),
        replies=True,
        bot="commands",
        status_callback=STATUS_PATH,
    )
    number_key = "sms_number"


@register
class TwilioWhatsAppAdapter(_TwilioMessaging):
    """WhatsApp through Twilio; outside the 24-hour window only templates (ContentSid) go out.

    Account keys beyond the manifest: ``api_base_url`` (tests only), ``timeout``.
    """

    type = "whatsapp"
    display_name = "WhatsApp (Twilio)"
    manifest = ChannelManifest(
        label_en="WhatsApp",
        label_ms="WhatsApp",
        identity="phone",
        credentials=(
            *TWILIO_CREDENTIALS,
            Setting(
                "whatsapp_number",
                "E.164 WhatsApp sender, with or without whatsapp:",
                env="TWILIO_WHATSAPP_NUMBER",
            ),
        ),
        webhooks=(
            Webhook("/twilio/whatsapp", "whatsapp", body_limit=TWILIO_BODY_LIMIT),
            STATUS_WEBHOOK,
        ),
        replies=True,
        bot="commands",
        session_window=True,
        status_callback=STATUS_PATH,
    )
    number_key = "whatsapp_number"

    def _address(self, handle: str) -> str:
        return whatsapp_address(handle)
