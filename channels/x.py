"""X (Twitter) direct messages, kept thin: the Account Activity API is being replaced by the
X Activity API (end of life 2027-01-01), so only the DM event shape and the v2 send endpoint are
used here.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
from typing import Any

import requests

from channels.base import (
    ChannelAdapter,
    ChannelError,
    ChannelManifest,
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
from channels.registry import register

DEFAULT_API_BASE_URL = "https://api.x.com"
# X's CRC tokens are short base64 / url-safe strings. The challenge answer is an HMAC of the
# token under the same key as webhook bodies, so the endpoint signs only strings that can never
# be a webhook body (those are JSON objects and start with "{").
CRC_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{1,256}")


def _signature(secret: str, data: bytes) -> str:
    digest = hmac.new(secret.encode(), data, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


@register
class XAdapter(ChannelAdapter):
    """Direct messages to the agency's X account.

    The bearer token must be an OAuth 2.0 *user-context* token with dm.write (app-only tokens
    cannot send DMs). Beyond the manifest: ``api_base_url`` (default https://api.x.com; tests
    point it at a fake X API).
    """

    type = "x"
    display_name = "X (Twitter)"
    media_hosts = ("ton.twitter.com", "pbs.twimg.com")
    manifest = ChannelManifest(
        label_en="X (Twitter)",
        label_ms="X (Twitter)",
        identity="x",  # X user ids
        credentials=(
            Setting(
                "consumer_secret",
                "Consumer secret (signatures, CRC)",
                secret=True,
                env="X_CONSUMER_SECRET",
            ),
            Setting("bearer_token", "User-context token with dm.write", secret=True),
        ),
        webhooks=(Webhook("/x", "x", methods=("GET", "POST")),),
        replies=True,
    )

    def verify(self, request: RawRequest) -> bool:
        """``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer_secret, body)>``."""
        given = request.header("x-twitter-webhooks-signature")
        secret = self.account.get("consumer_secret") or ""
        if not given or not secret or not request.body.lstrip().startswith(b"{"):
            return False  # not a JSON object: possibly a body signed through the CRC check
        return hmac.compare_digest(given.encode(), _signature(secret, request.body).encode())

    def crc_response(self, crc_token: str) -> dict[str, str] | None:
        """The answer to X's GET challenge-response check; None for a token X would not send
        (the answer would otherwise be a signature an attacker chose the text of)."""
        if not CRC_TOKEN.fullmatch(crc_token):
            return None
        return {"response_token": _signature(self.account["consumer_secret"], crc_token.encode())}

    def split(self, request: RawRequest) -> list[RawEvent]:
        """One event per incoming DM; DMs the account itself sent are dropped."""
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ParseError(f"x webhook is not JSON: {exc}")
        if not isinstance(data, dict):
            raise ParseError("x webhook body is not an object")
        try:
            return self._split(data)
        except (AttributeError, KeyError, TypeError) as exc:
            raise ParseError(f"x webhook has an unexpected shape: {exc!r}")

    def _split(self, data: dict[str, Any]) -> list[RawEvent]:
        own_id = str(data.get("for_user_id", ""))
        users = data.get("users") or {}
        events = []
        for dm in data.get("direct_message_events") or []:
            if dm.get("type") != "message_create" or not dm.get("id"):
                continue
            sender = str((dm.get("message_create") or {}).get("sender_id", ""))
            if sender == own_id:
                continue
            payload = {"event": dm, "user": users.get(sender) or {}, "for_user_id": own_id}
            events.append(RawEvent(self.type, "message", str(dm["id"]), payload, sender or None))
        return events

    def parse(self, event: RawEvent) -> list[InboundMessage]:
        """Sender is the X user id; t.co media links become attachment URLs."""
        dm = event.payload.get("event") or {}
        create = dm.get("message_create") or {}
        sender = create.get("sender_id")
        if not sender:
            raise ParseError("x direct message without sender_id")
        data = create.get("message_data") or {}
        user = event.payload.get("user") or {}
        return [
            InboundMessage(
                channel=self.type,
                provider_id=str(dm.get("id", event.provider_id)),
                sender_handle=str(sender),
                text=data.get("text", ""),
                received_at=_from_millis(dm.get("created_timestamp")),
                sender_name=user.get("name") or None,
                attachments=_attachments(data),
                hints=ThreadHints(conversation_id=str(sender)),
                extra={"screen_name": user.get("screen_name")},
            )
        ]

    def send(self, message: OutboundRequest) -> SendResult:
        """POST /2/dm_conversations/with/{participant_id}/messages."""
        base = (self.account.get("api_base_url") or DEFAULT_API_BASE_URL).rstrip("/")
        url = f"{base}/2/dm_conversations/with/{message.to_handle}/messages"
        headers = {"Authorization": f"Bearer {self.account['bearer_token']}"}
        try:
            response = requests.post(url, json={"text": message.text}, headers=headers, timeout=15)
        except requests.RequestException as exc:
            raise ChannelError(f"x api unreachable: {type(exc).__name__}", retryable=True)
        if response.status_code >= 400:
            retryable = response.status_code >= 500 or response.status_code == 429
            raise ChannelError(
                f"x api error HTTP {response.status_code}",
                retryable=retryable,
                code=str(response.status_code),
            )
        try:
            return SendResult(provider_id=str(response.json()["data"]["dm_event_id"]))
        except (ValueError, KeyError, TypeError):
            raise ChannelError("x api answered without dm_event_id", retryable=False)


def _attachments(data: dict[str, Any]) -> tuple[InboundAttachment, ...]:
    media = (data.get("attachment") or {}).get("media") or {}
    url = media.get("media_url_https")
    if not url:
        return ()
    content_type = "video/mp4" if media.get("type") in ("video", "animated_gif") else "image/jpeg"
    return (InboundAttachment(f"media_{media.get('id_str', '')}", content_type, url=url),)


def _from_millis(value: Any) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(value) / 1000, dt.UTC)
    except (TypeError, ValueError):
        return dt.datetime.now(dt.UTC)
