"""What the complainant is told when their ticket's status changes (``workflow.change_status``
calls ``after_change``; merging calls ``merged``): waiting for them (what is needed, and that
the clock is paused); back in action; extended (reason and date); closed; no further action;
outside our jurisdiction; re-opened by an officer; merged (which reference now handles it).
Each with the officer's reason, in the ticket's language (gettext, English msgid), through
``notices.queue_notice`` (the agency's account, on the timeline, switchable per agency).

That it was received, and which unit handles it, is the acknowledgement's
(``replies.acknowledgement_text``). The resolution is told by the survey request
(``citizen.survey``: the officer's resolution summary, how to object within 7 days and the
rating), the referral to another agency by ``tickets.referral``, an extension with a new date
by ``tickets.extending``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from aduan.languages import CITIZEN_LANGUAGES
from aduan.models import OutboundMessage, Ticket
from aduan.services.outbox.notices import queue_notice
from aduan.services.outbox.texts import format_local, status_link
from aduan.vocabulary import TicketStatus as S

# Every purpose a notice to the complainant goes out under (the agency setting
# ``citizen_notices_off`` names the ones it does not send).
PURPOSES = (
    "waiting", "resumed", "extended", "interim", "survey", "closed", "merged",
    "out_of_jurisdiction", "no_further_action", "reopened", "referral", "transfer", "recovery",
)  # fmt: skip

WAITING = _l(
    "Complaint %(reference)s: we need something from you: %(reason)s "
    "The resolution period is paused until you reply."
)
RESUMED = _l(
    "Complaint %(reference)s is being acted on again; the resolution period runs again. "
    "Expected resolution by %(resolve_by)s."
)
EXTENDED = _l(
    "Complaint %(reference)s: the resolution period has been extended. Reason: %(reason)s "
    "New expected resolution date: %(resolve_by)s."
)
CLOSED = _l("Complaint %(reference)s has been closed.")
CLOSED_WHY = _l("Complaint %(reference)s has been closed. Reason: %(reason)s")
NO_FURTHER_ACTION = _l(
    "Complaint %(reference)s: no further action will be taken. Reason: %(reason)s"
)
OUT_OF_JURISDICTION = _l("Complaint %(reference)s is outside our jurisdiction. Reason: %(reason)s")
REOPENED = _l("Complaint %(reference)s has been re-opened. Reason: %(reason)s")
MERGED_OTHER = _l(
    "Complaint %(reference)s is the same matter as another complaint and is now handled "
    "together with it; we will keep you informed under %(reference)s."
)
MERGED = _l(
    "Complaint %(reference)s is the same matter as complaint %(target)s and has been merged "
    "into it: %(target)s now handles it, and we will keep you informed under that reference."
)
STATUS_LINK = _l("Status: %(link)s")

_PLAIN = {
    S.WAITING_COMPLAINANT: ("waiting", WAITING),
    S.EXTENDED: ("extended", EXTENDED),
    S.NO_FURTHER_ACTION: ("no_further_action", NO_FURTHER_ACTION),
    S.OUT_OF_JURISDICTION: ("out_of_jurisdiction", OUT_OF_JURISDICTION),
}


def after_change(
    ticket: Ticket, current: S, target: S, reason: str | None, actor_kind: str | None
) -> OutboundMessage | None:
    """Queue the notice the move ``current`` → ``target`` owes the complainant, if any."""
    values = {"reason": _sentence(reason)}
    if current is S.WAITING_COMPLAINANT and target is S.IN_PROGRESS:
        return tell(ticket, "resumed", RESUMED)
    if target in _PLAIN:
        purpose, text = _PLAIN[target]
        return tell(ticket, purpose, text, **values)
    if target is S.CLOSED:
        return tell(ticket, "closed", CLOSED_WHY if reason else CLOSED, **values)
    if target is S.REOPENED and actor_kind != "complainant":  # they asked for it themselves
        return tell(ticket, "reopened", REOPENED, **values)
    return None


def merged(duplicate: Ticket, target: Ticket) -> OutboundMessage | None:
    """Tell the duplicate's complainant which reference now handles their complaint — when
    it is theirs too; another person's reference is never handed out."""
    if duplicate.complainant_id is not None and duplicate.complainant_id == target.complainant_id:
        return tell(duplicate, "merged", MERGED, target=target.reference, link_to=target)
    return tell(duplicate, "merged", MERGED_OTHER)


def tell(
    ticket: Ticket, purpose: str, text: Any, *, link_to: Ticket | None = None, **values: str
) -> OutboundMessage | None:
    """Queue ``text`` (a ``lazy_gettext`` string) in every citizen language with the
    reference, the expected resolution date and ``values``, and the status-page link."""
    texts = {}
    for language in CITIZEN_LANGUAGES:
        with force_locale(language):
            filled = {
                "reference": ticket.reference,
                "resolve_by": format_local(ticket.resolve_due_at, language),
                **values,
            }
            link = str(STATUS_LINK) % {"link": status_link(link_to or ticket)}
            texts[language] = f"{str(text) % filled} {link}"
    return queue_notice(ticket, purpose, **texts)


def _sentence(reason: str | None) -> str:
    """The officer's reason as one sentence (a full stop added when it has none)."""
    text = " ".join((reason or "").split())
    return text if not text or text[-1] in ".!?" else f"{text}."
