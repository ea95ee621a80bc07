"""Meta platforms: WhatsApp Cloud API, Messenger and Instagram messaging (Graph API).

One webhook POST may batch many entries; ``split`` cuts it into one event per message and one
per status (``<id>:<status>``, so sent/delivered/read of one message are three events). Each
event payload is self-contained (the message plus the contacts/metadata it needs).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import mimetypes
from collections.abc import Iterator, Mapping
from typing import Any

import requests

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
    ThreadHints,
    Webhook,
)
from channels.phones import is_wa_phone, normalise_wa_id
from channels.registry import register

log = logging.getLogger(__name__)

GRAPH_VERSION = "v21.0"
DEFAULT_GRAPH_BASE_URL = "https://graph.facebook.com"
MEDIA_PREFIX = "meta-media:"
OUTSIDE_WINDOW = 131047  # WhatsApp: re-engagement message, more than 24 h since the user wrote
RATE_LIMIT_CODES = {4, 17, 32, 613, 80007, 130429, 131056}
_STATUS_MAP = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed"}
_MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
# WhatsApp's template language codes for the citizen languages.
_TEMPLATE_CODES = {"ms": "ms", "en": "en", "zh": "zh_CN", "ta": "ta"}
# A WhatsApp user who adopted a username may come without a phone number: Meta then names
# them by their business-scoped user id (BSUID, ``MY.1502576394655843``) in the contact's
# ``user_id`` and the message's ``from_user_id``. Such a sender is this kind of identity.
WHATSAPP_USER = "whatsapp_user"


def _from_timestamp(value: Any, millis: bool = False) -> dt.datetime:
    try:
        seconds = int(value) / (1000 if millis else 1)
    except (TypeError, ValueError):
        return dt.datetime.now(dt.UTC)
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _load_json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ParseError(f"meta webhook is not JSON: {exc}")
    if not isinstance(data, dict):
        raise ParseError("meta webhook body is not an object")
    return data


META_CREDENTIALS = (
    Setting("app_secret", "App secret (webhook signatures)", secret=True, env="META_APP_SECRET"),
    Setting("verify_token", "Subscription handshake token", secret=True, env="META_VERIFY_TOKEN"),
    Setting("access_token", "Access token", secret=True, env="META_ACCESS_TOKEN"),
)
# One callback URL for the app: the body's ``object`` says which of the three it is for.
META_WEBHOOK = Webhook("/meta", "meta", methods=("GET", "POST"), body_limit=4096 * 1024)


class _MetaAdapter(ChannelAdapter):
    """Signature, handshake and Graph API calls shared by the three Meta channels."""

    media_hosts = (
        "*.fbcdn.net",
        "lookaside.fbsbx.com",
        "graph.facebook.com",
        "*.cdninstagram.com",
    )

    def verify(self, request: RawRequest) -> bool:
        """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, raw body)>``."""
        header = request.header("X-Hub-Signature-256") or ""
        secret = self.account.get("app_secret") or ""
        if not header.startswith("sha256=") or not secret:
            return False
        expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(header.removeprefix("sha256=").lower(), expected)

    def verify_subscription(self, query: Mapping[str, str]) -> str | None:
        """The GET handshake: the challenge to echo, or None (answer 403)."""
        token = self.account.get("verify_token") or ""
        given = query.get("hub.verify_token") or ""
        if query.get("hub.mode") != "subscribe" or not token:
            return None
        if not hmac.compare_digest(given.encode(), token.encode()):
            return None
        return query.get("hub.challenge")

    def fetch_media(self, media_id: str) -> tuple[bytes, str]:
        """Download WhatsApp media (``meta-media:<id>`` accepted): look up its URL, then fetch."""
        media_id = media_id.removeprefix(MEDIA_PREFIX)
        info = self._graph("GET", media_id)
        try:
            response = requests.get(info["url"], headers=self._auth(), timeout=30)
            response.raise_for_status()
        except (requests.RequestException, KeyError) as exc:
            raise ChannelError(f"meta media fetch failed: {type(exc).__name__}", retryable=True)
        return response.content, info.get("mime_type") or response.headers.get("Content-Type", "")

    def _graph(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict:
        base = (self.account.get("graph_base_url") or DEFAULT_GRAPH_BASE_URL).rstrip("/")
        url = f"{base}/{GRAPH_VERSION}/{path}"
        try:
            response = requests.request(method, url, json=payload, headers=self._auth(), timeout=15)
        except requests.RequestException as exc:
            raise ChannelError(f"graph api unreachable: {type(exc).__name__}", retryable=True)
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 400:
            raise _graph_error(response.status_code, body)
        return body

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.account['access_token']}"}


def _graph_error(status: int, body: Any) -> ChannelError:
    error = body.get("error", {}) if isinstance(body, dict) else {}
    code = error.get("code")
    message = error.get("message") or f"HTTP {status}"
    if code == OUTSIDE_WINDOW:
        return ChannelError("whatsapp: outside the 24-hour window", retryable=False, code=str(code))
    retryable = status >= 500 or status == 429 or code in RATE_LIMIT_CODES
    log.warning("graph api error status=%s code=%s", status, code)
    return ChannelError(
        f"graph api error: {message}", retryable=retryable, code=str(code or status)
    )


def _status_to_delivery(status: Mapping[str, Any]) -> DeliveryStatus | None:
    mapped = _STATUS_MAP.get(status.get("status", ""))
    if mapped is None:
        return None
    errors = status.get("errors") or []
    error = str(errors[0].get("code")) if errors else None
    return DeliveryStatus(
        provider_id=status["id"],
        status=mapped,
        error=error,
        at=_from_timestamp(status.get("timestamp")),
    )


@register
class WhatsAppCloudAdapter(_MetaAdapter):
    """WhatsApp through Meta's Cloud API.

    Beyond the manifest: ``graph_base_url`` (default https://graph.facebook.com; tests point
    it at a fake Graph API). ``template_language_en`` is e.g. "en_US" when the templates were
    approved under that code.
    """

    type = "whatsapp_cloud"
    display_name = "WhatsApp (Meta Cloud API)"
    manifest = ChannelManifest(
        label_en="WhatsApp (Meta)",
        label_ms="WhatsApp (Meta)",
        identity="phone",
        other_identities=(WHATSAPP_USER,),
        credentials=(*META_CREDENTIALS, Setting("phone_number_id", "Sender phone number id")),
        settings=(
            Setting("template_language", "Meta's code for the BM templates", default="ms"),
            Setting("template_language_en", "Meta's code for the English ones", default="en"),
        ),
        webhooks=(META_WEBHOOK,),
        replies=True,
        offered_for_replies=False,  # WhatsApp (Twilio) is offered for the same phone
        bot="commands",
        session_window=True,
    )

    def split(self, request: RawRequest) -> list[RawEvent]:
        """One event per message (wamid) and per status (``<wamid>:<status>``)."""
        try:
            return self._split(_load_json(request.body))
        except (AttributeError, KeyError, TypeError) as exc:
            raise ParseError(f"whatsapp webhook has an unexpected shape: {exc!r}")

    def _split(self, data: dict[str, Any]) -> list[RawEvent]:
        events = []
        for value in self._values(data):
            context = {"contacts": value.get("contacts", []), "metadata": value.get("metadata", {})}
            for message in value.get("messages") or []:
                payload = {"message": message, **context}
                sender = _whatsapp_sender(message, context["contacts"])[0] or None
                events.append(RawEvent(self.type, "message", message["id"], payload, sender))
            for status in value.get("statuses") or []:
                event_id = f"{status['id']}:{status.get('status')}"
                events.append(RawEvent(self.type, "status", event_id, {"status": status}))
        return events

    def _values(self, data: dict[str, Any]) -> Iterator[dict[str, Any]]:
        for entry in data.get("entry") or []:
            for change in entry.get("changes") or []:
                if change.get("field", "messages") == "messages":
                    yield change.get("value") or {}

    def parse(self, event: RawEvent) -> list[InboundMessage]:
        """A text, media, interactive or button message; the sender's wa_id in E.164, or their
        business-scoped user id (``extra["identity_type"] = "whatsapp_user"``) when Meta gives
        no phone number; the contact's profile name, else their username, as the name."""
        message = event.payload.get("message") or {}
        handle, kind, contact = _whatsapp_sender(message, event.payload.get("contacts") or [])
        if not handle or "id" not in message:
            raise ParseError("whatsapp message without from/user_id/id")
        profile = contact.get("profile") or {}
        username = profile.get("username") or contact.get("username")
        text, attachments, extra = _whatsapp_content(message)
        extra["phone_number_id"] = (event.payload.get("metadata") or {}).get("phone_number_id")
        if message.get("context", {}).get("id"):
            extra["reply_to"] = message["context"]["id"]
        if kind == WHATSAPP_USER:
            extra["identity_type"] = WHATSAPP_USER
            if username:
                extra["username"] = username
        return [
            InboundMessage(
                channel=self.type,
                provider_id=message["id"],
                sender_handle=handle,
                text=text,
                received_at=_from_timestamp(message.get("timestamp")),
                sender_name=profile.get("name") or username or None,
                attachments=attachments,
                extra=extra,
            )
        ]

    def parse_status(self, event: RawEvent) -> list[DeliveryStatus]:
        """sent/delivered/read/failed with the first error code."""
        status = _status_to_delivery(event.payload.get("status") or {})
        return [status] if status else []

    def send(self, message: OutboundRequest) -> SendResult:
        """POST /{phone_number_id}/messages: free text, or a template outside the 24 h window."""
        payload: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual"}
        if is_wa_phone(message.to_handle):
            payload["to"] = normalise_wa_id(message.to_handle).lstrip("+")
        else:  # a business-scoped user id goes in ``recipient``, in place of ``to``
            payload["recipient"] = message.to_handle.strip()
        if message.template:
            payload.update(type="template", template=self._template(message))
        else:
            payload.update(type="text", text={"body": message.text, "preview_url": False})
        body = self._graph("POST", f"{self.account['phone_number_id']}/messages", payload)
        try:
            return SendResult(provider_id=body["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise ChannelError("graph api answered without a message id", retryable=False)

    def _template(self, message: OutboundRequest) -> dict[str, Any]:
        # Variables are positional ({{1}}, {{2}}…): order by their numeric keys.
        keys = sorted(message.template_variables, key=lambda k: (not k.isdigit(), k.zfill(8)))
        parameters = [{"type": "text", "text": message.template_variables[k]} for k in keys]
        template: dict[str, Any] = {
            "name": message.template,
            "language": {"code": self._template_language(message.template_language)},
        }
        if parameters:
            template["components"] = [{"type": "body", "parameters": parameters}]
        return template

    def _template_language(self, language: str | None) -> str:
        """Meta's code for the template's language (the account may name its own, e.g.
        ``en_GB``): Bahasa Malaysia ``ms``, English ``en``, Chinese ``zh_CN``, Tamil ``ta``."""
        if language in _TEMPLATE_CODES and language != "ms":
            return self.account.get(f"template_language_{language}") or _TEMPLATE_CODES[language]
        return self.account.get("template_language") or "ms"


def _whatsapp_sender(
    message: Mapping[str, Any], contacts: list[Mapping[str, Any]]
) -> tuple[str, str, Mapping[str, Any]]:
    """``(handle, kind, contact)``: the E.164 phone (kind ``phone``) when ``from``/``wa_id`` is
    one, else the business-scoped user id (kind ``whatsapp_user``) from the message's
    ``from_user_id``, its contact's ``user_id`` or a ``from`` that is not digits."""
    sender = str(message.get("from") or "").strip()
    user_id = str(message.get("from_user_id") or "").strip()
    contact: Mapping[str, Any] = {}
    for candidate in contacts:
        ids = {str(candidate.get("wa_id") or ""), str(candidate.get("user_id") or "")} - {""}
        if ids & {sender, user_id} or len(contacts) == 1:
            contact = candidate
            break
    if is_wa_phone(sender):
        return normalise_wa_id(sender), "phone", contact
    if not sender and is_wa_phone(str(contact.get("wa_id") or "")):
        return normalise_wa_id(str(contact["wa_id"])), "phone", contact
    bsuid = user_id or str(contact.get("user_id") or "").strip() or sender
    return bsuid, WHATSAPP_USER, contact


def _whatsapp_content(
    message: Mapping[str, Any],
) -> tuple[str, tuple[InboundAttachment, ...], dict]:
    kind = message.get("type", "")
    extra: dict[str, Any] = {"type": kind}
    if kind == "text":
        return (message.get("text") or {}).get("body", ""), (), extra
    if kind in _MEDIA_TYPES:
        media = message.get(kind) or {}
        content_type = media.get("mime_type") or "application/octet-stream"
        ext = mimetypes.guess_extension(content_type.split(";")[0]) or ""
        name = media.get("filename") or f"{kind}_{media.get('id', '')}{ext}"
        attachment = InboundAttachment(name, content_type, url=MEDIA_PREFIX + str(media.get("id")))
        return media.get("caption", ""), (attachment,), extra
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        extra["reply_id"] = reply.get("id")
        return reply.get("title", ""), (), extra
    if kind == "button":
        button = message.get("button") or {}
        extra["payload"] = button.get("payload")
        return button.get("text", ""), (), extra
    if kind == "location":
        loc = message.get("location") or {}
        extra["location"] = loc
        return " ".join(str(v) for v in (loc.get("name"), loc.get("address")) if v), (), extra
    return "", (), extra  # reactions, contacts, unsupported: the core sees an empty message


class _MessagingAdapter(_MetaAdapter):
    """Messenger and Instagram share the ``entry[].messaging[]`` shape and the Send API."""

    def split(self, request: RawRequest) -> list[RawEvent]:
        """One event per message/postback (mid); echoes of our own sends are dropped."""
        data = _load_json(request.body)
        try:
            items = [
                item for entry in data.get("entry") or [] for item in entry.get("messaging") or []
            ]
            return [event for item in items for event in self._split_item(item)]
        except (AttributeError, KeyError, TypeError) as exc:
            raise ParseError(f"meta messaging webhook has an unexpected shape: {exc!r}")

    def _split_item(self, item: dict[str, Any]) -> list[RawEvent]:
        message = item.get("message") or {}
        if message.get("is_echo"):
            return []
        sender = str((item.get("sender") or {}).get("id") or "") or None
        if message.get("mid"):
            return [RawEvent(self.type, "message", message["mid"], {"messaging": item}, sender)]
        postback = item.get("postback")
        if postback:
            mid = postback.get("mid") or f"postback:{sender}:{item.get('timestamp')}"
            return [RawEvent(self.type, "message", mid, {"messaging": item}, sender)]
        delivery = item.get("delivery") or {}
        return [
            RawEvent(
                self.type,
                "status",
                f"{mid}:delivered",
                {"mid": mid, "status": "delivered", "timestamp": delivery.get("watermark")},
            )
            for mid in delivery.get("mids") or []
        ]  # read receipts carry only a watermark, no message id: not mapped

    def parse(self, event: RawEvent) -> list[InboundMessage]:
        """Text, attachments, quick replies and postbacks; sender is the PSID/IGSID."""
        item = event.payload.get("messaging") or {}
        sender = (item.get("sender") or {}).get("id")
        if not sender:
            raise ParseError("meta messaging event without sender")
        message = item.get("message") or {}
        postback = item.get("postback") or {}
        extra: dict[str, Any] = {"recipient_id": (item.get("recipient") or {}).get("id")}
        if message.get("quick_reply"):
            extra["quick_reply_payload"] = message["quick_reply"].get("payload")
        if postback:
            extra["postback_payload"] = postback.get("payload")
        if (message.get("reply_to") or {}).get("mid"):
            extra["reply_to"] = message["reply_to"]["mid"]
        return [
            InboundMessage(
                channel=self.type,
                provider_id=event.provider_id,
                sender_handle=str(sender),
                text=message.get("text") or postback.get("title") or "",
                received_at=_from_timestamp(item.get("timestamp"), millis=True),
                attachments=_messaging_attachments(message),
                hints=ThreadHints(conversation_id=str(sender)),
                extra=extra,
            )
        ]

    def parse_status(self, event: RawEvent) -> list[DeliveryStatus]:
        """Messenger delivery receipts (one per mid)."""
        at = _from_timestamp(event.payload.get("timestamp"), millis=True)
        return [DeliveryStatus(provider_id=event.payload["mid"], status="delivered", at=at)]

    def send(self, message: OutboundRequest) -> SendResult:
        """POST /me/messages as a RESPONSE to the user's message (24 h standard window), or
        as a MESSAGE_TAG with the request's tag (``HUMAN_AGENT``: an officer, up to 7 days)."""
        payload: dict[str, Any] = {
            "recipient": {"id": message.to_handle},
            "messaging_type": "RESPONSE",
            "message": {"text": message.text},
        }
        if message.message_tag:
            payload["messaging_type"] = "MESSAGE_TAG"
            payload["tag"] = message.message_tag
        body = self._graph("POST", "me/messages", payload)
        if not body.get("message_id"):
            raise ChannelError("graph api answered without a message id", retryable=False)
        return SendResult(provider_id=body["message_id"])


def _messaging_attachments(message: Mapping[str, Any]) -> tuple[InboundAttachment, ...]:
    found = []
    for i, attachment in enumerate(message.get("attachments") or []):
        url = (attachment.get("payload") or {}).get("url")
        if not url:
            continue  # fallback/template/location shares: nothing to fetch
        kind = attachment.get("type") or "file"
        content_type = {"image": "image/jpeg", "video": "video/mp4", "audio": "audio/mpeg"}.get(
            kind, "application/octet-stream"
        )
        ext = mimetypes.guess_extension(content_type) or ""
        found.append(InboundAttachment(f"{kind}{i}{ext}", content_type, url=url))
    return tuple(found)


@register
class MessengerAdapter(_MessagingAdapter):
    """Facebook Messenger (a Page).

    The access token is the Page's; ``graph_base_url`` as for WhatsApp Cloud.
    """

    type = "messenger"
    display_name = "Facebook Messenger"
    manifest = ChannelManifest(
        label_en="Facebook Messenger",
        label_ms="Facebook Messenger",
        identity="messenger",  # page-scoped ids
        credentials=META_CREDENTIALS,
        webhooks=(META_WEBHOOK,),
        replies=True,
    )


@register
class InstagramAdapter(_MessagingAdapter):
    """Instagram direct messages (Messenger Platform for Instagram); echoes are dropped.

    The access token is the linked Page's; ``graph_base_url`` as for WhatsApp Cloud.
    """

    type = "instagram"
    display_name = "Instagram"
    manifest = ChannelManifest(
        label_en="Instagram",
        label_ms="Instagram",
        identity="instagram",  # Instagram-scoped ids
        credentials=META_CREDENTIALS,
        webhooks=(META_WEBHOOK,),
        replies=True,
    )
