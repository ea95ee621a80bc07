"""The conversation filter in front of threading: bot commands and guided conversations.

``intercept`` runs for every inbound message after the complainant is identified and before
threading. It answers commands (``/start``, ``/semak``, ``/batal`` on Telegram; ``SEMAK``,
``STATUS``, ``BARU``, ``NEW``, ``BANTUAN``, ``HELP`` on SMS and WhatsApp) and the steps of a
guided conversation, and lets everything else through to threading unchanged.

State lives in ``BotConversation`` rows, read with ``SELECT … FOR UPDATE`` so two updates for
one chat processed at once take turns. Bot answers are OutboundMessage rows committed with the
inbound event and enqueued for delivery after that commit.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import NamedTuple

from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from aduan.extensions import db
from aduan.models import Complainant, InboundEvent, Message, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.models.bots import BotConversation
from aduan.services import bot_texts, references
from aduan.services.outbound import enqueue_delivery
from aduan.services.replies import format_local, identity_type
from channels.base import InboundMessage

log = logging.getLogger(__name__)

COMMAND_CHANNELS = frozenset({"sms", "whatsapp", "whatsapp_cloud"})
IDLE = "idle"
AWAITING_NEW = "awaiting_new"  # SMS/WhatsApp: BARU alone, the next message opens a ticket
_PENDING_KEY = "aduan_bot_outbound"
_ANSWERS_KEY = "aduan_bot_button_answers"
_WORD = re.compile(r"^[\W_]*([A-Za-z]+)[\W_]*(.*)$", re.DOTALL)
_STATUS_WORDS = {"semak": "ms", "status": "en"}
_NEW_WORDS = {"baru": "ms", "new": "en"}
_HELP_WORDS = {"bantuan": "ms", "help": "en"}


def intercept(
    message: InboundMessage, complainant: Complainant, *, event: InboundEvent | None = None
) -> bool:
    """Handle ``message`` as a bot command or conversation step; True when it was handled
    (no ticket message is created), False to let threading take it. Flushes; caller commits."""
    if message.extra.get("new_ticket") or message.auto_submitted:
        return False  # composed by a bot for the pipeline, or mail that must not be answered
    context = Context(message, complainant, event)
    if message.channel == "telegram":
        from aduan.services import bot_filing

        handled = bot_filing.handle(context)
        answer_button_press(context)
        return handled
    if message.channel in COMMAND_CHANNELS:
        return _handle_command_channel(context)
    return False


class Context:
    """One inbound message with who sent it and how to answer on its chat."""

    def __init__(self, message: InboundMessage, complainant: Complainant, event):
        self.message = message
        self.complainant = complainant
        self.event = event
        self.account_key = event.account_key if event is not None else "default"
        kind = identity_type(message.channel)
        from aduan.services.intake import normalise_handle

        self.handle = normalise_handle(kind, message.sender_handle)[:254]
        self.reply_to = str(message.extra.get("chat_id") or self.handle)
        self.button_notice: str | None = None  # shown briefly when answering a button press

    def reply(
        self, text: str, buttons: list[list[list[str]]] | None = None, ticket_id: int | None = None
    ) -> OutboundMessage:
        """Queue a bot message to this chat (sent after the commit)."""
        row = OutboundMessage(
            ticket_id=ticket_id,
            purpose="bot",
            channel=self.message.channel,
            account_key=self.account_key,
            to_handle=self.reply_to,
            body=text,
            buttons=buttons or None,
            template_variables={},
            state="queued",
            attempts=0,
        )
        db.session.add(row)
        db.session.flush()
        enqueue_after_commit(row.id)
        return row


def answer_button_press(context: Context) -> None:
    """Answer the Telegram button press in ``context`` (``answerCallbackQuery``) once the
    current transaction commits, so the citizen's client stops its spinner; with
    ``context.button_notice`` as a short notice. Nothing to do for a typed message."""
    query_id = context.message.extra.get("callback_query_id")
    if not query_id:
        return
    from aduan.services import channel_lookup

    try:
        adapter = channel_lookup.adapter_for(context.message.channel, context.account_key)
    except Exception as exc:  # never let the answer stand in the way of the press itself
        log.warning("telegram button answer skipped error=%s", exc)
        return
    pending = db.session().info.setdefault(_ANSWERS_KEY, [])
    pending.append((adapter, str(query_id), context.button_notice))


def enqueue_after_commit(outbound_id: int) -> None:
    """Enqueue delivery of ``outbound_id`` once the current transaction commits."""
    db.session().info.setdefault(_PENDING_KEY, []).append(outbound_id)


@sa_event.listens_for(Session, "after_commit")
def _enqueue_pending(session: Session) -> None:
    for outbound_id in session.info.pop(_PENDING_KEY, []):
        enqueue_delivery(outbound_id)


@sa_event.listens_for(Session, "after_commit")
def _answer_button_presses(session: Session) -> None:
    for adapter, query_id, notice in session.info.pop(_ANSWERS_KEY, []):
        try:
            adapter.answer_callback(query_id, notice)
        except Exception as exc:  # the press is handled and committed; only a spinner is left
            log.warning("telegram button answer failed error=%s", exc)


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_PENDING_KEY, None)
        session.info.pop(_ANSWERS_KEY, None)


# -- conversation state ---------------------------------------------------------------------


def lock_conversation(channel: str, handle: str) -> BotConversation | None:
    """The chat's conversation row, locked for this transaction (None when there is none)."""
    return db.session.scalar(
        db.select(BotConversation)
        .where(BotConversation.channel == channel, BotConversation.handle == handle)
        .with_for_update()
    )


def active_conversation(channel: str, handle: str) -> BotConversation | None:
    """The locked row when it is mid-conversation and younger than 24 hours."""
    row = lock_conversation(channel, handle)
    if row is None or row.step == IDLE:
        return None
    if row.expired():
        reset(row)
        return None
    return row


def start_conversation(channel: str, handle: str, step: str, language: str) -> BotConversation:
    """Create or restart the chat's row (insert-if-absent, then lock) at ``step``."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    db.session.execute(
        insert(BotConversation)
        .values(
            channel=channel,
            handle=handle,
            step=step,
            data={},
            language=language,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["channel", "handle"])
    )
    row = lock_conversation(channel, handle)
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
    from aduan.services.status_lookup import public_status

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


# -- SMS and WhatsApp commands --------------------------------------------------------------


def parse_command(text: str) -> tuple[str, str, str] | None:
    """(command, language, argument) for SEMAK/STATUS, BARU/NEW, BANTUAN/HELP, else None.

    Case-insensitive and tolerant of spaces and punctuation around the keyword. A status
    keyword counts only when what follows is empty or is a reference number, and BARU/NEW
    only alone: "status aduan saya?" and "baru-baru ini…" are complaints, not commands."""
    match = _WORD.match(text or "")
    if not match:
        return None
    word, rest = match.group(1).lower(), match.group(2).strip()
    if word in _STATUS_WORDS:
        if rest and references.normalise_reference(rest.strip(" .,;:!?()[]\"'")) is None:
            return None
        return "status", _STATUS_WORDS[word], rest
    bare = not re.sub(r"[\W_]", "", rest)
    if word in _NEW_WORDS and bare:
        return "new", _NEW_WORDS[word], ""
    if word in _HELP_WORDS and bare:
        return "help", _HELP_WORDS[word], ""
    return None


def _handle_command_channel(context: Context) -> bool:
    message = context.message
    command = parse_command(message.text)
    if command is None:
        return _pending_new_ticket(context)
    name, language, argument = command
    if name == "status":
        text = status_reply(context, argument, language) if argument else None
        context.reply(text or bot_texts.text(language, "semak_usage"))
    elif name == "help":
        context.reply(bot_texts.both("help"))
    else:
        start_conversation(message.channel, context.handle, AWAITING_NEW, language)
        context.reply(bot_texts.text(language, "new_ticket_prompt"))
    log.info("bot command channel=%s command=%s", message.channel, name)
    return True


def _pending_new_ticket(context: Context) -> bool:
    """After a bare BARU/NEW the next message opens a new ticket (never threads into one)."""
    row = active_conversation(context.message.channel, context.handle)
    if row is None or row.step != AWAITING_NEW:
        return False
    reset(row)
    file_through_pipeline(context, replace(context.message, extra={**context.message.extra}))
    return True


class Filed(NamedTuple):
    """What ``file_through_pipeline`` did: the new ticket, and whether its standard
    acknowledgement (reference, dates, status link) was queued to the complainant."""

    ticket_id: int | None
    acknowledged: bool


def file_through_pipeline(context: Context, message: InboundMessage, **ticket_fields) -> Filed:
    """Open a new ticket for ``message`` through intake (same store, attachments and
    acknowledgement as any message)."""
    from aduan.services import channel_lookup, intake

    composed = replace(
        message, extra={**message.extra, "new_ticket": True, "ticket_fields": ticket_fields}
    )
    adapter = channel_lookup.adapter_for(context.message.channel, context.account_key)
    ack_id = intake.ingest_message(context.event, composed, adapter)
    if ack_id is not None:
        enqueue_after_commit(ack_id)
    ticket_id = db.session.scalar(
        db.select(Message.ticket_id).where(
            Message.channel == composed.channel, Message.provider_id == composed.provider_id
        )
    )
    return Filed(ticket_id, ack_id is not None)
