"""Telegram Bot API through python-telegram-bot, used synchronously.

PTB is asyncio; this adapter runs in WSGI views and RQ jobs, so each outbound call builds a plain
``Bot`` and runs it to completion on a fresh event loop (``run_to_completion``).
Updates are parsed with ``Update.de_json(data, None)``: PTB objects, no hand-rolled dicts.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError

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
    language_of,
)
from channels.registry import register

FILE_PREFIX = "tg-file:"
TEXT_LIMIT = 4096
DEFAULT_API_BASE_URL = "https://api.telegram.org"
ANSWER_TIMEOUT = 3.0  # seconds, for answerCallbackQuery
T = TypeVar("T")


def language_hint(code: str | None) -> str | None:
    """``ms``/``ms-MY`` → "ms", ``en-GB`` → "en", ``zh-hans`` → "zh"; else no hint."""
    return language_of(code)


def message_attachments(message: Message) -> tuple[InboundAttachment, ...]:
    """Photo (largest size), document, voice, audio and video as ``tg-file:<file_id>`` URLs."""
    found = []
    if message.photo:
        photo = message.photo[-1]
        found.append((f"photo_{photo.file_unique_id}.jpg", "image/jpeg", photo.file_id))
    for media, default_name, default_type in (
        (message.document, "document", "application/octet-stream"),
        (message.voice, "voice.ogg", "audio/ogg"),
        (message.audio, "audio", "audio/mpeg"),
        (message.video, "video.mp4", "video/mp4"),
    ):
        if media is not None:
            name = getattr(media, "file_name", None) or default_name
            found.append((name, media.mime_type or default_type, media.file_id))
    return tuple(
        InboundAttachment(filename=name, content_type=ctype, url=FILE_PREFIX + file_id)
        for name, ctype, file_id in found
    )


def run_to_completion(coroutine: Awaitable[T]) -> T:
    """Run ``coroutine`` on a fresh event loop. When this thread already runs a loop (a host
    such as Playwright's sync API, or an async server), use a private thread instead:
    ``asyncio.run`` refuses to nest."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@register
class TelegramAdapter(ChannelAdapter):
    """A Telegram bot.

    Beyond the manifest: ``api_base_url`` (server root, default https://api.telegram.org;
    tests point it at a fake Bot API — ``/bot<token>/…`` and ``/file/bot<token>/…`` are
    appended).
    """

    type = "telegram"
    display_name = "Telegram"
    manifest = ChannelManifest(
        label_en="Telegram",
        label_ms="Telegram",
        identity="telegram",  # Telegram user ids
        credentials=(
            Setting("bot_token", "Bot token", secret=True, env="TELEGRAM_BOT_TOKEN"),
            Setting(
                "webhook_secret",
                "The secret_token given to setWebhook",
                secret=True,
                env="TELEGRAM_WEBHOOK_SECRET",
            ),
        ),
        webhooks=(Webhook("/telegram", "telegram"),),
        replies=True,
        bot="guided",
        ids_per_account=True,  # update_id counts per bot
    )

    def verify(self, request: RawRequest) -> bool:
        """Constant-time compare of ``X-Telegram-Bot-Api-Secret-Token`` with the secret."""
        given = request.header("X-Telegram-Bot-Api-Secret-Token")
        secret = self.account.get("webhook_secret") or ""
        if not given or not secret:
            return False
        return hmac.compare_digest(given.encode(), secret.encode())

    def split(self, request: RawRequest) -> list[RawEvent]:
        """One update per request; ``update_id`` is the dedupe key."""
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ParseError(f"telegram update is not JSON: {exc}")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise ParseError("telegram update without update_id")
        return [RawEvent(self.type, "message", str(data["update_id"]), data, sender=_sender(data))]

    def parse(self, event: RawEvent) -> list[InboundMessage]:
        """Messages, edits, commands and button presses; other updates give no message."""
        try:
            update = Update.de_json(event.payload, None)
        except (TypeError, KeyError, ValueError) as exc:
            raise ParseError(f"telegram update not understood: {exc}")
        if update.callback_query is not None:
            return [self._from_callback(update)]
        message = update.message or update.edited_message
        if message is None or message.from_user is None:
            return []  # membership changes, polls, channel posts…
        user = message.from_user
        extra: dict[str, Any] = {"chat_id": message.chat.id, "message_id": message.message_id}
        if update.edited_message is not None:
            extra["edited"] = True
        return [
            InboundMessage(
                channel=self.type,
                provider_id=event.provider_id,
                sender_handle=str(user.id),
                text=message.text or message.caption or "",
                received_at=_utc(message.edit_date or message.date),
                sender_name=user.full_name or None,
                attachments=message_attachments(message),
                hints=ThreadHints(conversation_id=str(message.chat.id)),
                language=language_hint(user.language_code),
                extra=extra,
            )
        ]

    def _from_callback(self, update: Update) -> InboundMessage:
        query = update.callback_query
        user = query.from_user
        chat_id = query.message.chat.id if query.message is not None else user.id
        return InboundMessage(
            channel=self.type,
            provider_id=str(update.update_id),
            sender_handle=str(user.id),
            text=query.data or "",
            received_at=dt.datetime.now(dt.UTC),  # callback queries carry no timestamp
            sender_name=user.full_name or None,
            hints=ThreadHints(conversation_id=str(chat_id)),
            language=language_hint(user.language_code),
            extra={"callback_data": query.data, "callback_query_id": query.id, "chat_id": chat_id},
        )

    def send(self, message: OutboundRequest) -> SendResult:
        """sendMessage to the chat id in ``to_handle``; texts over 4096 chars go in pieces."""

        async def deliver(bot: Bot) -> Message:
            sent = None
            pieces = _pieces(message.text)
            for number, piece in enumerate(pieces, 1):
                markup = _keyboard(message) if number == len(pieces) else None
                sent = await bot.send_message(
                    chat_id=message.to_handle, text=piece, reply_markup=markup
                )
            return sent

        sent = self._run(deliver)
        return SendResult(provider_id=f"{sent.chat.id}:{sent.message_id}")

    def check_connection(self) -> str:
        """getMe: the bot's @username when the token is right."""

        async def who(bot: Bot):
            return await bot.get_me()

        return f"@{self._run(who).username}"

    def answer_callback(self, query_id: str, text: str | None = None) -> None:
        """answerCallbackQuery: stops the button's spinner in the citizen's client, with an
        optional short notice. Short timeouts: the caller is a worker, and the press has
        already been handled by the time this is called."""

        async def answer(bot: Bot) -> bool:
            return await bot.answer_callback_query(
                query_id, text=text, read_timeout=ANSWER_TIMEOUT, connect_timeout=ANSWER_TIMEOUT
            )

        self._run(answer)

    def fetch_file(self, file_id: str) -> bytes:
        """Download a file by id (accepts ``tg-file:<id>`` too): getFile, then the file URL."""
        file_id = file_id.removeprefix(FILE_PREFIX)

        async def download(bot: Bot) -> bytes:
            tg_file = await bot.get_file(file_id)
            return bytes(await tg_file.download_as_bytearray())

        return self._run(download)

    def _run(self, action: Callable[[Bot], Awaitable[T]]) -> T:
        async def main() -> T:
            async with self._bot() as bot:
                return await action(bot)

        try:
            return run_to_completion(main())
        except (BadRequest, Forbidden, InvalidToken) as exc:
            raise ChannelError(f"telegram refused: {exc.message}", retryable=False, code=_code(exc))
        except RetryAfter as exc:
            raise ChannelError("telegram rate limit", retryable=True, code="429") from exc
        except TelegramError as exc:  # NetworkError, TimedOut, server errors
            raise ChannelError(f"telegram unreachable: {exc.message}", retryable=True) from exc

    def _bot(self) -> Bot:
        root = (self.account.get("api_base_url") or DEFAULT_API_BASE_URL).rstrip("/")
        return Bot(
            self.account["bot_token"], base_url=f"{root}/bot", base_file_url=f"{root}/file/bot"
        )


def _keyboard(message: OutboundRequest) -> InlineKeyboardMarkup | None:
    """Inline buttons under the last piece of a bot message, if it has any."""
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in message.buttons
        ]
    )


def _pieces(text: str) -> list[str]:
    return [text[i : i + TEXT_LIMIT] for i in range(0, len(text), TEXT_LIMIT)] or [""]


def _code(exc: TelegramError) -> str:
    return "403" if isinstance(exc, Forbidden) else "400"


def _utc(moment: dt.datetime | None) -> dt.datetime:
    if moment is None:
        return dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _sender(update: dict) -> str | None:
    """The Telegram user behind a message, an edit or a button press."""
    for key in ("message", "edited_message", "callback_query"):
        part = update.get(key)
        if isinstance(part, dict) and isinstance(part.get("from"), dict):
            return str(part["from"].get("id") or "") or None
    return None
