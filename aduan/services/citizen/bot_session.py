"""What a bot conversation works with: the ``Context`` of one inbound chat message (who sent it,
how to answer on its chat), the conversation's state in ``BotConversation`` rows, the status
answers, and filing a new ticket through the intake pipeline that the context carries.

State is read with ``SELECT … FOR UPDATE`` so two updates for one chat processed at once take
turns. Bot answers are queued through the outbox's door: committed with the inbound event and
enqueued for delivery after that commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from aduan.extensions import db
from aduan.models import Complainant, InboundEvent, Message, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.models.bots import BotConversation
from aduan.services import group_writes
from aduan.services.channel_config import lookup as channel_lookup
from aduan.services.citizen import bot_texts
from aduan.services.intake.identities import normalise_handle
from aduan.services.outbox import door
from aduan.services.outbox.replies import format_local
from aduan.services.outbox.texts import sender_identity_type
from aduan.services.tickets import references
from channels.base import ChannelAdapter, InboundMessage

# ``ingest_message(event, message, adapter) -> the queued acknowledgement or None``
FileFn = Callable[[InboundEvent | None, InboundMessage, ChannelAdapter], OutboundMessage | None]

log = logging.getLogger(__name__)

IDLE = "idle"
AWAITING_NEW = "awaiting_new"  # SMS/WhatsApp: BARU alone, the next message opens a ticket
_ANSWERS_KEY = "aduan_bot_button_answers"


class Context:
    """One inbound message with who sent it and how to answer on its chat."""

    def __init__(self, message: InboundMessage, complainant: Complainant, event, file: FileFn):
        self.message = message
        self.file = file  # the intake pipeline's door: ``ingest_message(event, message, adapter)``
        self.complainant = complainant
        self.event = event
        self.account_key = event.account_key if event is not None else "default"
        kind = sender_identity_type(message.channel, message.extra)
        self.handle = normalise_handle(kind, message.sender_handle)[:254]
        self.reply_to = str(message.extra.get("chat_id") or self.handle)
        self.button_notice: str | None = None  # shown briefly when answering a button press

    def reply(
        self, text: str, buttons: list[list[list[str]]] | None = None, ticket_id: int | None = None
    ) -> OutboundMessage:
        """Queue a bot message to this chat, from the account it came in on (sent after the
        commit)."""
        ticket = db.session.get(Ticket, ticket_id) if ticket_id is not None else None
        to = door.Recipient(self.message.channel, self.reply_to, self.account_key)
        return door.queue(ticket, "bot", text, to=to, buttons=buttons)


def answer_button_press(context: Context) -> None:
    """Answer the Telegram button press in ``context`` (``answerCallbackQuery``) once the
    current transaction commits, so the citizen's client stops its spinner; with
    ``context.button_notice`` as a short notice. Nothing to do for a typed message."""
    query_id = context.message.extra.get("callback_query_id")
    if not query_id:
        return
    from aduan.services.channel_config import lookup as channel_lookup

    try:
        adapter = channel_lookup.adapter_for(context.message.channel, context.account_key)
    except Exception as exc:  # never let the answer stand in the way of the press itself
        log.warning("telegram button answer skipped error=%s", exc)
        return
    pending = db.session().info.setdefault(_ANSWERS_KEY, [])
    pending.append((adapter, str(query_id), context.button_notice))


@sa_event.listens_for(Session, "after_commit")
def _answer_button_presses(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction's own commit comes later
    for adapter, query_id, notice in session.info.pop(_ANSWERS_KEY, []):
        try:
            adapter.answer_callback(query_id, notice)
        except Exception as exc:  # the press is handled and committed; only a spinner is left
            log.warning("telegram button answer failed error=%s", exc)


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_ANSWERS_KEY, None)


# -- conversation state ---------------------------------------------------------------------


def lock_conversation(channel: str, account_key: str, handle: str) -> BotConversation | None:
    """The chat's conversation row with the bot of ``account_key``, locked for this
    transaction (None when there is none). Each agency's bot keeps its own state of a chat.
    A drain's group locks its chats' rows in one query first (``locked_conversations``)."""
    known, row = group_writes.answer("conversation", (channel, account_key, handle))
    if known:
        return row
    return db.session.scalar(
        db.select(BotConversation)
        .where(
            BotConversation.channel == channel,
            BotConversation.account_key == account_key,
            BotConversation.handle == handle,
        )
        .with_for_update()
    )


def locked_conversations(
    channel: str, account_key: str, handles: list[str]
) -> dict[tuple[str, str, str], BotConversation]:
    """The conversation rows the bot of ``account_key`` has with the chats ``handles``, by
    (channel, account key, handle), locked for this transaction in id order (one lock order
    for every drain); every key column in the unique index's condition."""
    rows = db.session.scalars(
        db.select(BotConversation)
        .where(
            BotConversation.channel == channel,
            BotConversation.account_key == account_key,
            BotConversation.handle.in_(handles),
        )
        .order_by(BotConversation.id)
        .with_for_update()
    )
    return {(row.channel, row.account_key, row.handle): row for row in rows}


def active_conversation(channel: str, account_key: str, handle: str) -> BotConversation | None:
    """The locked row when it is mid-conversation and younger than 24 hours."""
    row = lock_conversation(channel, account_key, handle)
    if row is None or row.step == IDLE:
        return None
    if row.expired():
        reset(row)
        return None
    return row


def start_conversation(
    channel: str, account_key: str, handle: str, step: str, language: str
) -> BotConversation:
    """Create or restart the chat's row with that bot (insert-if-absent, then lock) at
    ``step``."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    db.session.execute(
        insert(BotConversation)
        .values(
            channel=channel,
            account_key=account_key,
            handle=handle,
            step=step,
            data={},
            language=language,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["channel", "account_key", "handle"])
    )
    group_writes.forget("conversation", (channel, account_key, handle))  # inserted just now
    row = lock_conversation(channel, account_key, handle)
    row.step, row.data, row.language, row.updated_at = step, {}, language, now
    db.session.flush()
    return row


def advance(row: BotConversation, step: str, **data: object) -> None:
    """Move to ``step`` keeping what was collected, plus ``data``."""
    row.step = step
    row.data = {**(row.data or {}), **data}
    row.updated_at = utcnow()
    db.session.flush()


def reset(row: BotConversation) -> None:
    """Forget the conversation (the row stays, idle, with its language)."""
    advance(row, IDLE)
    row.data = {}
    db.session.flush()


# -- status -----------------------------------------------------------------------------------


def status_reply(context: Context, argument: str, language: str) -> str:
    """The status of the ticket named in ``argument``, only for its own complainant."""
    ticket = own_ticket(argument, context.complainant)
    if ticket is None:
        link = public_status_link()
        return bot_texts.text(language, "not_found", link=link)
    return status_text(ticket, language)


def own_ticket(argument: str, complainant: Complainant) -> Ticket | None:
    """The ticket whose reference is ``argument`` when ``complainant`` filed it, else None."""
    canonical = references.normalise_reference(argument.strip(" .,;:!?()[]\"'"))
    if canonical is None:
        return None
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.reference == canonical))
    if ticket is None or ticket.complainant_id != complainant.id:
        return None  # same answer as "no such ticket": nothing leaks to strangers
    return ticket


def status_text(ticket: Ticket, language: str) -> str:
    """One line of status from what the public status page shows (``public_status``)."""
    from aduan.services.citizen.status import public_status

    public = public_status(ticket, language)
    updated = format_local(ticket.updated_at or ticket.received_at, language)
    return bot_texts.text(
        language,
        "status",
        reference=public["reference"],
        status=public["status_label"],
        updated=updated,
    )


def public_status_link() -> str:
    """The public status page (where a reference can be checked with verification)."""
    from flask import current_app

    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/semak"


class Filed(NamedTuple):
    """What ``file_through_pipeline`` did: the new ticket, and whether its standard
    acknowledgement (reference, dates, status link) was queued to the complainant."""

    ticket_id: int | None
    acknowledged: bool


def file_through_pipeline(context: Context, message: InboundMessage, **ticket_fields) -> Filed:
    """Open a new ticket for ``message`` through intake (same store, attachments and
    acknowledgement as any message)."""
    composed = replace(
        message, extra={**message.extra, "new_ticket": True, "ticket_fields": ticket_fields}
    )
    adapter = channel_lookup.adapter_for(context.message.channel, context.account_key)
    ack = context.file(context.event, composed, adapter)  # sent once the caller commits
    ticket_id = db.session.scalar(
        db.select(Message.ticket_id).where(
            Message.channel == composed.channel, Message.provider_id == composed.provider_id
        )
    )
    return Filed(ticket_id, ack is not None)
