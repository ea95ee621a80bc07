"""Messages on a ticket, their attachments, and the raw provider traffic in and out."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aduan.extensions import db
from aduan.models.base import JSONType, UTCDateTime, utcnow

if TYPE_CHECKING:
    from aduan.models.tickets import Ticket


class Message(db.Model):
    __tablename__ = "messages"
    __tenant__ = "via:ticket_id"  # aduan/services/tenancy.py
    __table_args__ = (
        UniqueConstraint("channel", "provider_id"),
        Index("ix_messages_email_message_id", "email_message_id"),
        Index(
            "ix_messages_search",
            text("to_tsvector('simple', coalesce(body, ''))"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    direction: Mapped[str] = mapped_column(String(4))  # in | out | note
    channel: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[str | None] = mapped_column(String(255))
    sender: Mapped[str | None] = mapped_column(String(254))  # normalised handle, inbound only
    author_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    email_message_id: Mapped[str | None] = mapped_column(String(255))
    inbound_event_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_events.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    attachments: Mapped[list[Attachment]] = relationship(back_populates="message")
    # Set instead of ``ticket_id`` when the ticket may not be inserted yet: the unit of work
    # inserts it first (``group_writes``: a group's tickets and messages in one flush).
    ticket: Mapped[Ticket] = relationship("Ticket", foreign_keys=[ticket_id])


class Attachment(db.Model):
    """The bytes are in the attachment store under ``sha256`` (``services.storage``)."""

    __tablename__ = "attachments"
    __tenant__ = "via:ticket_id"  # aduan/services/tenancy.py

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    message: Mapped[Message | None] = relationship(back_populates="attachments")


class InboundEvent(db.Model):
    """A provider's raw payload, committed before we answer the provider."""

    __tablename__ = "inbound_events"
    __tenant__ = "account"  # aduan/services/tenancy.py
    __table_args__ = (
        UniqueConstraint("channel", "provider_id"),
        Index(
            "ix_inbound_events_pending",
            "received_at",
            postgresql_where=text("processed_at IS NULL AND quarantined_at IS NULL"),
            sqlite_where=text("processed_at IS NULL AND quarantined_at IS NULL"),
        ),
        Index(
            "ix_inbound_events_pending_sender",
            "sender_key",
            "id",
            postgresql_where=text("processed_at IS NULL AND quarantined_at IS NULL"),
            sqlite_where=text("processed_at IS NULL AND quarantined_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    account_key: Mapped[str] = mapped_column(String(40), default="default")
    kind: Mapped[str] = mapped_column(String(10), default="message")  # message | status
    provider_id: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict] = mapped_column(JSONType)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    quarantined_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # Who sent it, hashed (channel, account and the provider's sender id): one sender's events
    # are drained in one slot (``order_slot``) and processed in arrival order.
    sender_key: Mapped[str | None] = mapped_column(String(32))
    order_slot: Mapped[int | None] = mapped_column(BigInteger)


class OutboundMessage(db.Model):
    """One message out, sent by an RQ job: queued → sent → delivered | failed."""

    __tablename__ = "outbound_messages"
    __tenant__ = "account"  # aduan/services/tenancy.py
    __table_args__ = (
        Index("ix_outbound_messages_channel_provider", "channel", "provider_id"),
        Index("ix_outbound_messages_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    purpose: Mapped[str] = mapped_column(String(20), default="reply")
    channel: Mapped[str] = mapped_column(String(20))
    account_key: Mapped[str] = mapped_column(String(40), default="default")
    to_handle: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    template: Mapped[str | None] = mapped_column(String(100))
    template_variables: Mapped[dict] = mapped_column(JSONType, default=dict)
    buttons: Mapped[list | None] = mapped_column(JSONType)  # bot keyboards: [[label, data]]
    email_message_id: Mapped[str | None] = mapped_column(String(255))
    in_reply_to: Mapped[str | None] = mapped_column(String(255))  # e-mail threading
    email_references: Mapped[str | None] = mapped_column(Text)  # space-separated Message-IDs
    state: Mapped[str] = mapped_column(String(10), default="queued")
    provider_id: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_status_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    # The timeline message this send stands for: set with the object, the unit of work inserts
    # the message and links it at the next flush (no flush of its own for its id).
    message: Mapped[Message | None] = relationship(foreign_keys=[message_id])
    # As ``Message.ticket``: the ticket may be inserted by the same flush.
    ticket: Mapped[Ticket | None] = relationship("Ticket", foreign_keys=[ticket_id])


class WhatsAppWindow(db.Model):
    """When a complainant last wrote to one business number: WhatsApp's 24-hour window is
    kept per (business number, complainant). Written for every inbound WhatsApp message,
    bot commands included (they store no Message); read before a free-form send."""

    __tablename__ = "whatsapp_windows"
    __tenant__ = "account"  # aduan/services/tenancy.py

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    account_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    handle: Mapped[str] = mapped_column(String(254), primary_key=True)
    last_inbound_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
