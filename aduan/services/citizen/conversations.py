"""The conversation filter in front of threading: bot commands and guided conversations.

``intercept`` runs for every inbound message after the complainant is identified and before
threading. It answers commands (``/start``, ``/semak``, ``/batal`` on Telegram; ``SEMAK``,
``STATUS``, ``BARU``, ``NEW``, ``BANTUAN``, ``HELP`` on SMS and WhatsApp), the steps of a
guided conversation and answers to the satisfaction survey (``survey_answers``: ``5``,
``lima``, a rating button), and lets everything else through to threading unchanged.

State lives in ``BotConversation`` rows, read with ``SELECT … FOR UPDATE`` so two updates for
one chat processed at once take turns. Bot answers are OutboundMessage rows committed with the
inbound event and enqueued for delivery after that commit.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from aduan.models import Complainant, InboundEvent
from aduan.services.citizen import bot_filing, bot_texts, survey_answers
from aduan.services.citizen.bot_session import (
    AWAITING_NEW,
    Context,
    FileFn,
    active_conversation,
    answer_button_press,
    file_through_pipeline,
    reset,
    start_conversation,
    status_reply,
)
from aduan.services.tickets import references
from channels.base import InboundMessage
from channels.registry import channels_where

log = logging.getLogger(__name__)

_WORD = re.compile(r"^[\W_]*([A-Za-z]+)[\W_]*(.*)$", re.DOTALL)
_STATUS_WORDS = {"semak": "ms", "status": "en"}
_NEW_WORDS = {"baru": "ms", "new": "en"}
_HELP_WORDS = {"bantuan": "ms", "help": "en"}


def intercept(
    message: InboundMessage,
    complainant: Complainant,
    *,
    event: InboundEvent | None = None,
    file: FileFn,
) -> bool:
    """Handle ``message`` as a bot command or conversation step; True when it was handled
    (no ticket message is created), False to let threading take it. Flushes; caller commits."""
    if message.extra.get("new_ticket") or message.auto_submitted:
        return False  # composed by a bot for the pipeline, or mail that must not be answered
    context = Context(message, complainant, event, file)
    if message.channel in channels_where(bot="guided"):
        handled = bot_filing.handle(context) or survey_answers.handle(context)
        answer_button_press(context)
        return handled
    if message.channel in command_channels():
        return _handle_command_channel(context)
    return survey_answers.handle(context)  # e-mail, Messenger…: a rating, else a message


def command_channels() -> tuple[str, ...]:
    """The channels whose texts may be SEMAK/BARU/BANTUAN commands (manifest ``bot``)."""
    return channels_where(bot="commands")


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
        return _pending_new_ticket(context) or survey_answers.handle(context)
    name, language, argument = command
    if name == "status":
        text = status_reply(context, argument, language) if argument else None
        context.reply(text or bot_texts.text(language, "semak_usage"))
    elif name == "help":
        context.reply(bot_texts.both("help"))
    else:
        start_conversation(
            message.channel, context.account_key, context.handle, AWAITING_NEW, language
        )
        context.reply(bot_texts.text(language, "new_ticket_prompt"))
    log.info("bot command channel=%s command=%s", message.channel, name)
    return True


def _pending_new_ticket(context: Context) -> bool:
    """After a bare BARU/NEW the next message opens a new ticket (never threads into one)."""
    row = active_conversation(context.message.channel, context.account_key, context.handle)
    if row is None or row.step != AWAITING_NEW:
        return False
    reset(row)
    file_through_pipeline(context, replace(context.message, extra={**context.message.extra}))
    return True
