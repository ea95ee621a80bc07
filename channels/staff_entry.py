"""Counter and telephone entry: an officer records a complaint on the citizen's behalf.

These events never come from outside — the inbox stores them itself — so ``verify`` always
refuses. The stored payload is a plain dict written by ``aduan.services.intake.counter_entry``:
``entry_id``, ``text``, ``subject``, ``name``, ``phone`` (E.164), ``email``, ``language``,
``received_at`` (ISO 8601, aware), ``officer_id``, ``fields`` (type, category, state, district,
priority group — as the web form's) and ``attachments`` (stored uploads, as the web form's).
"""

from __future__ import annotations

import datetime as dt

from channels.base import (
    ChannelAdapter,
    ChannelError,
    ChannelManifest,
    InboundMessage,
    OutboundRequest,
    ParseError,
    RawEvent,
    RawRequest,
    SendResult,
    ThreadHints,
    language_of,
)
from channels.registry import register
from channels.web import stored_attachment


class StaffEntryAdapter(ChannelAdapter):
    """Shared parsing for complaints an officer types in."""

    def verify(self, request: RawRequest) -> bool:
        """Never: staff entries are stored by the app, not delivered by a provider."""
        return False

    def split(self, request: RawRequest) -> list[RawEvent]:
        return []

    def send(self, message: OutboundRequest) -> SendResult:
        """Nothing can be sent "by counter": refuse for good, so the send is not retried."""
        raise ChannelError(f"{self.type} entries cannot carry a reply", retryable=False)

    def parse(self, event: RawEvent) -> list[InboundMessage]:
        """One InboundMessage from the stored form; ParseError when text or time is missing."""
        payload = event.payload or {}
        text = str(payload.get("text") or "").strip()
        if not text:
            raise ParseError("staff entry without a description")
        try:
            received_at = dt.datetime.fromisoformat(str(payload.get("received_at")))
        except ValueError as exc:
            raise ParseError(f"staff entry with a bad received_at: {exc}") from None
        if received_at.tzinfo is None:
            raise ParseError("staff entry with a naive received_at")
        language = payload.get("language")
        fields = payload.get("fields") if isinstance(payload.get("fields"), dict) else {}
        return [
            InboundMessage(
                channel=self.type,
                provider_id=str(payload.get("entry_id") or event.provider_id),
                sender_handle=str(payload.get("phone") or payload.get("email") or ""),
                text=text,
                received_at=received_at,
                sender_name=payload.get("name") or None,
                hints=ThreadHints(subject=payload.get("subject") or None),
                language=language_of(language),
                attachments=tuple(stored_attachment(a) for a in payload.get("attachments") or ()),
                extra={
                    **fields,
                    "officer_id": payload.get("officer_id"),
                    "email": payload.get("email"),
                    # the person is known by the phone or e-mail they gave, as on any channel
                    "identity_type": "phone" if payload.get("phone") else "email",
                    "new_ticket": True,  # an officer records a new complaint, never a reply
                },
            )
        ]


@register
class CounterEntryAdapter(StaffEntryAdapter):
    type = "counter"
    display_name = "Counter"
    # Each agency's secret-free account is made by counter entry itself, not by an admin.
    manifest = ChannelManifest(
        label_en="Counter",
        label_ms="Kaunter",
        identity="counter",
        contact_details=True,
        configurable=False,
    )


@register
class PhoneEntryAdapter(StaffEntryAdapter):
    type = "phone"
    display_name = "Telephone"
    manifest = ChannelManifest(
        label_en="Telephone",
        label_ms="Telefon",
        identity="phone",
        contact_details=True,
        configurable=False,
    )
