"""The e-mail channel: IMAP polling in, SMTP out, RFC 3464 bounces as delivery statuses.

Account keys: ``imap_url`` (``imap://user:pass@host:port/MAILBOX`` or ``imaps://…``),
``smtp_url`` (``smtp://``, ``smtps://`` or ``smtp+starttls://user:pass@host:port``),
``mail_from`` (``"Aduan JKR <aduan@jkr.gov.my>"``), optional ``reply_to``,
``message_id_domain``, ``imap_max_per_poll`` and ``inbound_token`` (for raw MIME posted by an
MTA pipe). Parsing lives in ``mail_parse``, polling in ``mail_imap``, sending in ``mail_smtp``.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import email
import hmac
import re
from collections.abc import Mapping
from email import policy
from email.message import Message
from typing import Any

from channels.base import (
    ChannelAdapter,
    ChannelError,
    ChannelManifest,
    DeliveryStatus,
    InboundMessage,
    OutboundRequest,
    ParseError,
    RawEvent,
    RawRequest,
    SendResult,
    Setting,
)
from channels.mail_imap import check_mailbox, event_from_bytes, poll_mailbox
from channels.mail_parse import (
    is_bounce,
    load,
    message_ids,
    parse_date,
    parse_message,
    raw_header,
)
from channels.mail_smtp import check_server, send_mail
from channels.registry import register

__all__ = ["EmailAdapter", "parse_bounce", "poll_mailbox", "raw_bytes"]


def raw_bytes(event: RawEvent) -> bytes:
    """The RFC 822 bytes stored in an e-mail event's payload."""
    try:
        return base64.b64decode(event.payload["raw"], validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise ParseError("e-mail event without valid base64 'raw' payload")


def parse_bounce(raw: bytes) -> list[DeliveryStatus]:
    """Map an RFC 3464 report to one DeliveryStatus per failed or delivered recipient."""
    msg = load(raw)
    if not is_bounce(msg):
        raise ParseError("not a delivery-status report")
    recipients: list[Message] = []
    original: Message | None = None
    for part in msg.iter_parts():
        ctype = part.get_content_type()
        if ctype in ("message/delivery-status", "message/global-delivery-status"):
            recipients = [b for b in _status_blocks(part) if raw_header(b, "Action")]
        elif ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            original = _original_headers(part)
    ids = message_ids(raw_header(original, "Message-ID")) if original is not None else ()
    if not ids:
        raise ParseError("delivery-status report without the original Message-ID")
    at = parse_date(raw_header(msg, "Date"))
    return [s for s in (_recipient_status(ids[0], r, at) for r in recipients) if s]


def _status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    text = payload if isinstance(payload, str) else ""
    blocks = re.split(r"\r?\n\s*\r?\n", text.strip())
    return [email.message_from_string(b + "\n", policy=policy.default) for b in blocks if b]


def _original_headers(part: Message) -> Message | None:
    if part.get_content_type() == "message/rfc822":
        payload = part.get_payload()
        return payload[0] if isinstance(payload, list) and payload else None
    data = part.get_payload(decode=True) or b""
    return email.message_from_bytes(data, policy=policy.default)


def _recipient_status(original_id: str, block: Message, at: dt.datetime | None):
    action = (raw_header(block, "Action") or "").lower()
    code = raw_header(block, "Status") or ""
    diagnostic = raw_header(block, "Diagnostic-Code") or ""
    if action == "failed":
        error = f"{code}: {diagnostic}".strip(": ") or "failed"
        return DeliveryStatus(provider_id=original_id, status="failed", error=error, at=at)
    if action in ("delivered", "relayed", "expanded"):
        return DeliveryStatus(provider_id=original_id, status="delivered", at=at)
    return None  # "delayed": the remote MTA is still trying; nothing changes for us yet


@register
class EmailAdapter(ChannelAdapter):
    """E-mail: messages arrive by ``poll`` (IMAP) or as raw MIME posted by an MTA pipe."""

    type = "email"
    display_name = "E-mel"
    manifest = ChannelManifest(
        label_en="E-mail",
        label_ms="E-mel",
        identity="email",
        credentials=(
            Setting("imap_url", "imaps://user:password@host/mailbox", secret=True, env="IMAP_URL"),
            Setting("smtp_url", "smtp(s)://user:password@host:port", secret=True, env="SMTP_URL"),
            Setting("mail_from", "From address of replies", env="MAIL_FROM"),
        ),
        settings=(
            Setting("inbound_token", "X-Aduan-Token of MIME posted by an MTA", secret=True),
            Setting("reply_to", "Reply-To address"),
            Setting("message_id_domain", "Domain of our Message-IDs (default: From's)"),
        ),
        replies=True,
        ids_per_account=True,  # one Message-ID sent to several agencies is a ticket at each
        trusted_clock=False,  # ``Date:`` is whatever the sender's machine (or spammer) says
    )

    def __init__(self, account: Mapping[str, Any]):
        super().__init__(account)

    def verify(self, request: RawRequest) -> bool:
        """Raw MIME posted to the webhook must carry the account's ``inbound_token``."""
        expected = str(self.account.get("inbound_token") or "")
        given = request.header("X-Aduan-Token") or ""
        return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())

    def split(self, request: RawRequest) -> list[RawEvent]:
        """One posted RFC 822 message → one event; a DSN bounce becomes kind "status"."""
        if not request.body.strip():
            return []
        mailbox = request.header("X-Aduan-Mailbox") or "pipe"
        return [event_from_bytes(request.body, mailbox=mailbox, uid=None)]

    def poll(self, state: Mapping[str, Any] | None) -> tuple[list[RawEvent], dict[str, Any]]:
        """New messages from the account's IMAP mailbox; see ``mail_imap.poll_mailbox``."""
        return poll_mailbox(self.account, state)

    def parse(self, event: RawEvent) -> list[InboundMessage]:
        """One stored e-mail → one InboundMessage, or ParseError with the reason.

        The message keeps the id its event was stored under: the Message-ID, prefixed with the
        account key for accounts other than "default", so that one e-mail in two agencies'
        mailboxes is a message of each."""
        extra = {k: event.payload[k] for k in ("mailbox", "uid") if k in event.payload}
        message = parse_message(raw_bytes(event), extra=extra)
        if event.provider_id:
            message = dataclasses.replace(message, provider_id=event.provider_id)
        return [message]

    def parse_status(self, event: RawEvent) -> list[DeliveryStatus]:
        """A bounce → statuses for the Message-ID we sent (``SendResult.provider_id``)."""
        return parse_bounce(raw_bytes(event))

    def check_connection(self) -> str:
        """IMAP login and the mailbox opened, SMTP EHLO (and login): whichever are set."""
        found = []
        if self.account.get("imap_url"):
            found.append(check_mailbox(str(self.account["imap_url"])))
        if self.account.get("smtp_url"):
            found.append(check_server(str(self.account["smtp_url"])))
        if not found:
            raise ChannelError("neither an IMAP nor an SMTP server is set", retryable=False)
        return "; ".join(found)

    def send(self, message: OutboundRequest) -> SendResult:
        """Send over SMTP; 4xx and network errors are retryable, 5xx are not."""
        return send_mail(self.account, message)
