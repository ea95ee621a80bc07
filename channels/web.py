"""The web form and the status page as a channel, and what every form-filing channel shares.

Nothing outside reaches these adapters: ``verify`` always refuses, and the only producers of
``web`` events (and of ``open311`` ones, ``channels.open311``) are our own views, which store
the form as an InboundEvent payload. Parsing it here keeps the web form on the same intake
pipeline as every other channel.

Payload: ``text``, ``received_at`` (ISO), optional ``contact_handle``/``contact_kind``
(``email`` or ``phone``), ``phone`` (a phone given besides an e-mail), ``sender_name``,
``language``, ``attachments`` (``sha256``, ``filename``, ``content_type`` of files the view
already put in the attachment store; each is handed on as the URL ``stored:<sha256>``, which
intake reads from that store) and ``fields`` (what the form knows beyond a message: type,
category, location, priority, ticket_id for a reply).
"""

from __future__ import annotations

import datetime as dt

from channels.base import (
    ChannelAdapter,
    ChannelManifest,
    InboundAttachment,
    InboundMessage,
    ParseError,
    RawEvent,
    RawRequest,
    Setting,
)
from channels.registry import register

STORED_PREFIX = "stored:"


class FormFilingAdapter(ChannelAdapter):
    """A channel whose events are forms our own views stored (the web form, Open311 filings):
    nothing outside posts to it (``verify`` refuses), and the stored payload parses into one
    message the same way on each. Subclasses add to ``extra`` with ``more_fields``."""

    def verify(self, request: RawRequest) -> bool:
        """Never: these events are stored by our own views, not posted by a provider."""
        return False

    def split(self, request: RawRequest) -> list[RawEvent]:
        return []

    def parse(self, event: RawEvent) -> list[InboundMessage]:
        """The stored form as one InboundMessage (ParseError when the payload is malformed)."""
        payload = event.payload
        text = payload.get("text")
        if not isinstance(text, str):
            raise ParseError(f"{self.type} payload without text")
        try:
            received_at = dt.datetime.fromisoformat(payload["received_at"])
        except (KeyError, TypeError, ValueError):
            raise ParseError(f"{self.type} payload without a valid received_at")
        if received_at.tzinfo is None:
            raise ParseError(f"{self.type} payload received_at is naive")
        fields = dict(payload.get("fields") or {})
        fields["identity_type"] = payload.get("contact_kind")
        if payload.get("phone"):
            fields["phone"] = str(payload["phone"])  # given besides an e-mail: kept too
        fields.update(self.more_fields(payload))
        return [
            InboundMessage(
                channel=self.type,
                provider_id=event.provider_id,
                sender_handle=payload.get("contact_handle") or "",
                text=text,
                received_at=received_at,
                sender_name=payload.get("sender_name") or None,
                attachments=tuple(stored_attachment(a) for a in payload.get("attachments") or ()),
                language=payload.get("language"),
                extra=fields,
            )
        ]

    def more_fields(self, payload: dict) -> dict:
        """What this channel adds to the message's ``extra`` beside the form's fields."""
        return {}


@register
class WebFormAdapter(FormFilingAdapter):
    type = "web"
    display_name = "Web form"
    # Our own form: no provider secrets; filers are identified by the contact they give.
    manifest = ChannelManifest(
        label_en="Web form",
        label_ms="Borang web",
        identity="web",
        settings=(Setting("attachment_dir", "Where uploads are kept", env="ATTACHMENT_DIR"),),
        contact_details=True,
    )


def stored_attachment(item: dict) -> InboundAttachment:
    """An upload the app put in the attachment store (``sha256``, ``filename``, type)."""
    try:
        return InboundAttachment(
            filename=str(item["filename"]),
            content_type=str(item["content_type"]),
            url=STORED_PREFIX + str(item["sha256"]),
        )
    except (KeyError, TypeError):
        raise ParseError("web payload attachment without sha256/filename/content_type")
