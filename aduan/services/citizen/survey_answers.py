"""The survey answered in a message: ``5``, ``lima``, ``five`` by SMS, WhatsApp, Messenger or
an e-mail reply, or a rating button on Telegram (``survey:4``).

Runs in the conversation filter (``conversations.intercept``) for a message from a complainant
whose newest resolved ticket has an unanswered survey within its window: a rating is recorded
once (``survey.record_rating``), the complainant is thanked on the chat it came from, and the
message opens no ticket and gets no acknowledgement. Anything that is not a rating goes on to
threading as before.
"""

from __future__ import annotations

import logging
import re

from flask_babel import lazy_gettext as _l

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.languages import every_language, render
from aduan.models import Ticket
from aduan.models.base import utcnow
from aduan.models.citizen import SurveyResponse
from aduan.services.citizen import survey
from aduan.services.citizen.bot_session import Context
from aduan.services.outbox import door, notices
from aduan.vocabulary import TicketStatus

log = logging.getLogger(__name__)

CALLBACK = survey.SURVEY_CALLBACK
RATING_WORDS = {
    **{str(n): n for n in range(1, 6)},
    **dict(zip(("satu", "dua", "tiga", "empat", "lima"), range(1, 6), strict=True)),
    **dict(zip(("one", "two", "three", "four", "five"), range(1, 6), strict=True)),
    **dict(zip("一二三四五", range(1, 6), strict=True)),
    **dict(zip(("ஒன்று", "இரண்டு", "மூன்று", "நான்கு", "ஐந்து"), range(1, 6), strict=True)),
}
# A digit, a Malay or English word, one CJK numeral, or a Tamil word (whose vowel signs are
# not "word" characters to ``re``), then an optional "/5" and the comment.
_ANSWER = re.compile(
    r"^\s*(\d|[A-Za-z]+|[一二三四五]|[\u0B80-\u0BFF]+)(?:\s*/\s*5)?(?![A-Za-z0-9])[\s.,!:;。，！-]*(.*)$",
    re.DOTALL,
)
THANKS = _l("Thank you for rating complaint %(reference)s (%(rating)s/5).")
BUTTON_THANKS = _l("Thank you!")


def parse_rating(text: str) -> tuple[int, str] | None:
    """(rating, comment) when ``text`` starts with 1-5 or its word in Malay or English
    (``lima``, ``five``, ``4/5``), else None."""
    match = _ANSWER.match(text or "")
    if not match:
        return None
    rating = RATING_WORDS.get(match.group(1).lower())
    return (rating, match.group(2).strip()) if rating else None


def handle(context: Context) -> bool:
    """True when the message answered a pending survey (or pressed a survey button)."""
    message = context.message
    callback = message.extra.get("callback_data")
    if callback is not None:
        if not str(callback).startswith(CALLBACK):
            return False
        answer = parse_rating(str(callback)[len(CALLBACK) :])
    else:
        answer = parse_rating(message.text)
    if answer is None:
        return callback is not None  # a survey button with bad data: nothing to file
    found = surveyed_ticket(context)
    if found is None:
        return callback is not None  # a button under a closed survey is still not a complaint
    ticket, row = found
    if row.rating is not None:
        return not answer[1]  # a bare rating again (a double tap) is no message; words are
    rating, comment = answer
    try:
        survey.record_rating(ticket, rating, comment or None)
    except ValidationFailed:  # answered a moment ago by another worker: thank once only
        return True
    _thank(context, ticket, rating)
    log.info("survey answered by message channel=%s ticket_id=%s", message.channel, ticket.id)
    return True


def surveyed_ticket(context: Context) -> tuple[Ticket, SurveyResponse] | None:
    """The complainant's newest resolved ticket whose survey was asked and is still open (no
    objection), with its survey row (answered or not)."""
    complainant = context.complainant
    if complainant is None or complainant.id is None:
        return None
    found = db.session.execute(
        db.select(Ticket, SurveyResponse)
        .join(
            SurveyResponse,
            (SurveyResponse.ticket_id == Ticket.id)
            & (SurveyResponse.resolved_at == Ticket.resolved_at),
        )
        .where(
            Ticket.complainant_id == complainant.id,
            Ticket.status == TicketStatus.RESOLVED.value,
            Ticket.resolved_at > utcnow() - survey.WINDOW,
            SurveyResponse.objected_at.is_(None),
        )
        .order_by(Ticket.resolved_at.desc())
        .limit(1)
    ).first()
    return (found[0], found[1]) if found else None


def _thank(context: Context, ticket: Ticket, rating: int) -> None:
    values = {"reference": ticket.reference, "rating": rating}
    text = every_language(THANKS, **values)
    to = door.Recipient(context.message.channel, context.reply_to, context.account_key)
    row = door.queue(ticket, "survey_thanks", text, to=to, subject=f"[{ticket.reference}]")
    notices.on_timeline(ticket, row)  # officers see the thanks as sent
    context.button_notice = render(BUTTON_THANKS, ticket.language)
