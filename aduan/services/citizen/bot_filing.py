"""The Telegram bot: commands and the guided conversation that files a complaint.

Steps: language → type → category → description → state → district (optional) → photo
(optional) → confirm. Each step accepts an inline-button press (``callback_data``) or typed
text (a number from the list, or the name); anything else re-prompts in the chosen language.
On confirmation the collected complaint goes through intake like any other message, and the
standard acknowledgement (reference, dates, status link) is the bot's one answer. Every button
press is answered (``answerCallbackQuery``) after the commit; see ``conversations``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace

from aduan.extensions import db
from aduan.languages import CITIZEN_LANGUAGES, NATIVE_NAMES
from aduan.models import Category, Ticket
from aduan.models.bots import BotConversation
from aduan.services.channel_config import lookup as channel_lookup
from aduan.services.citizen import bot_texts
from aduan.services.citizen.bot_session import (
    IDLE,
    Context,
    active_conversation,
    advance,
    file_through_pipeline,
    reset,
    start_conversation,
    status_reply,
)
from aduan.services.sla.working_calendar import STATES
from aduan.vocabulary import TicketType

log = logging.getLogger(__name__)

MIN_DESCRIPTION = 10
MAX_DISTRICT = 100
SKIP_WORDS = frozenset({"skip", "langkau", "-", "tiada", "none", "no"})
YES_WORDS = frozenset({"ya", "yes", "y", "hantar", "send", "ok"})
NO_WORDS = frozenset({"tidak", "no", "batal", "cancel"})
LANGUAGE_WORDS = {
    "1": "ms",
    "bm": "ms",
    "ms": "ms",
    "melayu": "ms",
    "bahasa malaysia": "ms",
    "2": "en",
    "en": "en",
    "english": "en",
    "bi": "en",
    "3": "zh",
    "zh": "zh",
    "中文": "zh",
    "华语": "zh",
    "chinese": "zh",
    "4": "ta",
    "ta": "ta",
    "தமிழ்": "ta",
    "tamil": "ta",
}
_COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@\w+)?\s*(.*)$", re.DOTALL)
OUR_CALLBACKS = ("lang:", "type:", "cat:", "state:", "skip", "confirm:")


def handle(context: Context) -> bool:
    """A Telegram message: a command, a step of an open conversation, or not ours (False)."""
    message = context.message
    command = _COMMAND.match(message.text.strip()) if "callback_data" not in message.extra else None
    if command:
        return _command(context, command.group(1).lower(), command.group(2).strip())
    callback = message.extra.get("callback_data")
    if callback is not None and not str(callback).startswith(OUR_CALLBACKS):
        return False  # another feature's button (e.g. a survey)
    row = active_conversation(message.channel, context.account_key, context.handle)
    if row is None and callback is not None:
        # A button under a finished or expired conversation (a double tap on "send"):
        # its data is not a complaint; say so in the press's answer.
        context.button_notice = bot_texts.text(_language_of(context, None), "button_expired")
        return True
    if row is None:
        return False  # free text outside a conversation: a complaint or a reply, as today
    STEPS[row.step](context, row)
    return True


def _command(context: Context, name: str, argument: str) -> bool:
    message = context.message
    if name == "start":
        language = _language_of(context, None)
        row = start_conversation(
            message.channel, context.account_key, context.handle, "language", language
        )
        _prompt(context, row)
    elif name in ("semak", "status"):
        language = _language_of(context, "en" if name == "status" else "ms")
        if not argument:
            context.reply(bot_texts.text(language, "semak_usage"))
        else:
            context.reply(status_reply(context, argument, language))
    elif name in ("batal", "cancel"):
        row = active_conversation(message.channel, context.account_key, context.handle)
        language = row.language if row else _language_of(context, None)
        if row is None:
            context.reply(bot_texts.text(language, "nothing_to_cancel"))
        else:
            reset(row)
            context.reply(bot_texts.text(language, "cancelled"))
    elif name in ("help", "bantuan"):
        context.reply(bot_texts.both("telegram_help"))
    else:
        return False  # an unknown /word: treated as text, as before
    log.info("telegram bot command command=%s", name)
    return True


def _language_of(context: Context, preferred: str | None) -> str:
    if preferred:
        return preferred
    row = db.session.scalar(
        db.select(BotConversation.language).where(
            BotConversation.channel == context.message.channel,
            BotConversation.handle == context.handle,
        )
    )
    return row or context.message.language or context.complainant.language or "ms"


# -- steps ------------------------------------------------------------------------------------


def _choice(context: Context, prefix: str, options: list[tuple[str, str]]) -> str | None:
    """The value picked by button (``prefix:value``), by number, or by typed label."""
    callback = context.message.extra.get("callback_data")
    if callback is not None:
        value = str(callback).removeprefix(prefix + ":")
        return value if any(value == v for v, _ in options) else None
    typed = _clean(context.message.text)
    if typed.isdigit() and 1 <= int(typed) <= len(options):
        return options[int(typed) - 1][0]
    return next((v for v, label in options if typed in (v.lower(), label.lower())), None)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().strip(".!,;")).lower()


def _step_language(context: Context, row: BotConversation) -> None:
    callback = context.message.extra.get("callback_data")
    typed = str(callback).removeprefix("lang:") if callback else _clean(context.message.text)
    language = LANGUAGE_WORDS.get(typed)
    if language is None:
        context.reply(bot_texts.both("choose_language_again"), buttons=_language_buttons())
        return
    row.language = language
    advance(row, "type")
    _prompt(context, row)


def _step_type(context: Context, row: BotConversation) -> None:
    value = _choice(context, "type", _type_options(row.language))
    if value is None:
        return _reprompt(context, row)
    advance(row, "category", type=value)
    _prompt(context, row)


def _step_category(context: Context, row: BotConversation) -> None:
    value = _choice(context, "cat", _category_options(context, row.language))
    if value is None:
        return _reprompt(context, row)
    advance(row, "description", category_id=int(value))
    _prompt(context, row)


def _step_description(context: Context, row: BotConversation) -> None:
    text = (context.message.text or "").strip()
    if "callback_data" in context.message.extra or len(text) < MIN_DESCRIPTION:
        return _reprompt(context, row)
    advance(row, "state", description=text[:5000], photos=_photos(context, row))
    _prompt(context, row)


def _step_state(context: Context, row: BotConversation) -> None:
    value = _choice(context, "state", _state_options())
    if value is None:
        typed = _clean(context.message.text)
        value = next((c for c, (abbr, name) in STATES.items() if typed == abbr.lower()), None)
    if value is None:
        return _reprompt(context, row)
    advance(row, "district", state_code=value)
    _prompt(context, row)


def _step_district(context: Context, row: BotConversation) -> None:
    if _skipped(context):
        district = None
    else:
        district = (context.message.text or "").strip()
        if not district or len(district) > MAX_DISTRICT or "callback_data" in context.message.extra:
            return _reprompt(context, row)
    advance(row, "photo", district=district)
    _prompt(context, row)


def _step_photo(context: Context, row: BotConversation) -> None:
    photos = _photos(context, row)
    if len(photos) == len(row.data.get("photos", [])) and not _skipped(context):
        return _reprompt(context, row)
    advance(row, "confirm", photos=photos)
    _prompt(context, row)


def _step_confirm(context: Context, row: BotConversation) -> None:
    callback = context.message.extra.get("callback_data")
    answer = str(callback).removeprefix("confirm:") if callback else _clean(context.message.text)
    if answer in NO_WORDS:
        reset(row)
        context.reply(bot_texts.text(row.language, "cancelled"))
    elif answer in YES_WORDS:
        _file(context, row)
    else:
        _reprompt(context, row)


STEPS: dict[str, Callable[[Context, BotConversation], None]] = {
    "language": _step_language,
    "type": _step_type,
    "category": _step_category,
    "description": _step_description,
    "state": _step_state,
    "district": _step_district,
    "photo": _step_photo,
    "confirm": _step_confirm,
    IDLE: lambda context, row: None,
}


def _skipped(context: Context) -> bool:
    callback = context.message.extra.get("callback_data")
    return callback == "skip" or (callback is None and _clean(context.message.text) in SKIP_WORDS)


def _photos(context: Context, row: BotConversation) -> list[dict]:
    """Photos collected so far plus those on this message (as file references, not bytes)."""
    found = list((row.data or {}).get("photos", []))
    for attachment in context.message.attachments:
        if attachment.content_type.startswith("image/"):
            found.append({"filename": attachment.filename, "url": attachment.url})
    return found[:5]


def _file(context: Context, row: BotConversation) -> None:
    """Open the ticket through intake with everything collected, then forget the chat state."""
    from channels.base import InboundAttachment, ThreadHints

    data = dict(row.data)
    category = db.session.get(Category, data.get("category_id"))
    attachments = tuple(
        InboundAttachment(filename=p["filename"], content_type="image/jpeg", url=p["url"])
        for p in data.get("photos", [])
    )
    message = replace(
        context.message,
        text=data["description"],
        attachments=attachments,
        language=row.language,
        hints=ThreadHints(conversation_id=context.reply_to),
        extra={"chat_id": context.reply_to, "bot_conversation": row.id},
    )
    fields = {"type": data["type"], "category": category, "state_code": data["state_code"]}
    if data.get("district"):
        fields["district"] = data["district"]
    filed = file_through_pipeline(context, message, **fields)
    reset(row)
    ticket = db.session.get(Ticket, filed.ticket_id)
    if not filed.acknowledged:  # the acknowledgement is the one answer; this only stands in
        text = bot_texts.text(row.language, "filed", reference=ticket.reference)
        context.reply(text, ticket_id=ticket.id)
    log.info("telegram bot filed ticket_id=%s", ticket.id)


# -- prompts ----------------------------------------------------------------------------------


def _prompt(context: Context, row: BotConversation, again: bool = False) -> None:
    language, key = row.language, _PROMPT_KEYS[row.step] + ("_again" if again else "")
    if row.step == "language":
        context.reply(bot_texts.both(key), buttons=_language_buttons())
        return
    options = _options_for(context, row)
    if options is not None:
        listing = "\n".join(f"{n}. {label}" for n, (_v, label) in enumerate(options, 1))
        prefix = {"type": "type", "category": "cat", "state": "state"}[row.step]
        buttons = [[[label, f"{prefix}:{value}"]] for value, label in options]
        text = bot_texts.text(language, key, options=listing, count=len(options))
        context.reply(text, buttons=buttons)
    elif row.step == "confirm":
        context.reply(_summary(context, row, again), buttons=_confirm_buttons(language))
    else:
        skip = [[[bot_texts.text(language, "skip"), "skip"]]]
        buttons = skip if row.step in ("district", "photo") else None
        values = {"minimum": MIN_DESCRIPTION, "maximum": MAX_DISTRICT}
        context.reply(bot_texts.text(language, key, **values), buttons=buttons)


def _reprompt(context: Context, row: BotConversation) -> None:
    _prompt(context, row, again=True)


_PROMPT_KEYS = {
    "language": "choose_language",
    "type": "choose_type",
    "category": "choose_category",
    "description": "ask_description",
    "state": "choose_state",
    "district": "ask_district",
    "photo": "ask_photo",
    "confirm": "confirm",
}


def _options_for(context: Context, row: BotConversation) -> list[tuple[str, str]] | None:
    if row.step == "type":
        return _type_options(row.language)
    if row.step == "category":
        return _category_options(context, row.language)
    if row.step == "state":
        return _state_options()
    return None


def _type_options(language: str) -> list[tuple[str, str]]:
    return [(t.value, t.label(language)) for t in TicketType]


def _category_options(context: Context, language: str) -> list[tuple[str, str]]:
    agency = channel_lookup.agency_for(context.message.channel, context.account_key)
    categories = db.session.scalars(
        db.select(Category)
        .where(Category.agency_id == agency.id, Category.active.is_(True))
        .order_by(Category.code)
    )
    return [(str(c.id), c.name(language)) for c in categories]


def _state_options() -> list[tuple[str, str]]:
    return [(code, name) for code, (_abbr, name) in STATES.items()]


def _language_buttons() -> list[list[list[str]]]:
    return [[[NATIVE_NAMES[code], f"lang:{code}"] for code in CITIZEN_LANGUAGES]]


def _confirm_buttons(language: str) -> list[list[list[str]]]:
    yes, no = bot_texts.text(language, "yes"), bot_texts.text(language, "no")
    return [[[yes, "confirm:yes"], [no, "confirm:no"]]]


def _summary(context: Context, row: BotConversation, again: bool) -> str:
    if again:
        return bot_texts.text(row.language, "confirm_again")
    data, language = row.data, row.language
    category = db.session.get(Category, data.get("category_id"))
    return bot_texts.text(
        language,
        "confirm",
        type=TicketType(data["type"]).label(language),
        category=category.name(language) if category else "-",
        description=data["description"],
        state=STATES[data["state_code"]][1],
        district=data.get("district") or "-",
        photos=len(data.get("photos", [])),
    )
