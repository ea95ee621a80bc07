"""Messaging-bot conversation state: one row per (channel, bot account, handle), kept in the
database so a guided conversation survives worker restarts and works with several workers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aduan.extensions import db
from aduan.models.base import JSONType, UTCDateTime, utcnow

CONVERSATION_TTL = dt.timedelta(hours=24)


class BotConversation(db.Model):
    """Where one chat is in a guided conversation (``step``) and what it collected (``data``).

    Updated under ``SELECT … FOR UPDATE``; a row untouched for 24 hours counts as expired."""

    __tablename__ = "bot_conversations"
    __table_args__ = (
        UniqueConstraint("channel", "account_key", "handle", name="uq_bot_conversations_chat"),
    )
    # The agency owning the bot's account (aduan/services/tenancy.py): each agency's bot keeps
    # its own state of one chat.
    __tenant__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    account_key: Mapped[str] = mapped_column(String(40), default="default")
    handle: Mapped[str] = mapped_column(String(254))
    step: Mapped[str] = mapped_column(String(30), default="idle")
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    language: Mapped[str] = mapped_column(String(2), default="ms")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def expired(self, now: dt.datetime | None = None) -> bool:
        return (now or utcnow()) - self.updated_at > CONVERSATION_TTL
