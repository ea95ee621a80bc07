"""The complainant's view of a ticket: verification, status and the public timeline.

A reference alone reveals nothing. The status page asks for the last four digits of the phone
number (or the last four characters of the e-mail's local part) given at filing — or, for an
anonymous filing, the status PIN shown once on the confirmation page — or a one-time code sent
to the complainant's own channel. The answer is checked against ``ContactCheck`` (a keyed,
salted hash; nothing in clear), keyed with the answer key of the hash's version
(``answer_keys``: apart from the session secret, so rotating that one locks nobody out).
Existing and missing references cost the same work: one query, one HMAC and one
``hmac.compare_digest`` either way. An agency's own status page passes its ``agency_id``: a
reference of another agency is then missing, with the same answer and the same work.
``public_status`` is the one list of what
a complainant may see (reused by the bots): never internal notes, officers or other tickets.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import re
import secrets
from typing import Any

from flask_babel import lazy_gettext as _l

from aduan.extensions import db
from aduan.languages import render
from aduan.models import Agency, Message, Ticket, TicketEvent
from aduan.models.base import utcnow
from aduan.models.citizen import ContactCheck, VerificationCode
from aduan.services.citizen import answer_keys, merged_replies, status_truths
from aduan.services.outbox import door
from aduan.services.tickets import references
from aduan.vocabulary import TicketStatus, TicketType

log = logging.getLogger(__name__)

HINT_LENGTH = 4
PIN_LENGTH = 6
CODE_TTL = dt.timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
CODES_PER_WINDOW = 3
CODES_PER_DAY = 5
_DUMMY_SALT = "0" * 32
_NEVER = "x" * 64  # not a hex digest: compare_digest against it is always False
# The events a complainant sees on the timeline: status changes and referrals.
_PUBLIC_EVENTS = ("status_changed", "referred_out", "referred_outside")
CODE_TEXT = _l("Verification code for %(reference)s: %(code)s (valid 10 minutes). Do not share it.")


def contact_hint(kind: str | None, handle: str | None) -> str | None:
    """Last four digits of a phone number, or last four characters of an e-mail local part."""
    if not handle:
        return None
    if kind == "phone":
        digits = re.sub(r"\D", "", handle)
        return digits[-HINT_LENGTH:] if len(digits) >= HINT_LENGTH else None
    if kind == "email":
        local = handle.rpartition("@")[0].lower()
        return local[-HINT_LENGTH:] if local else None
    return None


def new_status_pin() -> str:
    """A PIN for an anonymous filing: shown once, then stored only as a hash."""
    return "".join(secrets.choice("0123456789") for _ in range(PIN_LENGTH))


def set_contact_check(ticket: Ticket, answer: str, phone_answer: str | None = None) -> bool:
    """Store the hash of the answer that unlocks ``ticket`` (and of ``phone_answer``, the
    phone's last four when the filer gave a phone besides an e-mail: either unlocks it);
    False when one exists already."""
    if db.session.get(ContactCheck, ticket.id) is not None:
        return False
    salt = secrets.token_hex(16)
    version, key = answer_keys.current()
    digest = answer_keys.digest(key, salt, answer)
    phone_digest = answer_keys.digest(key, salt, phone_answer) if phone_answer else None
    db.session.add(
        ContactCheck(
            ticket_id=ticket.id,
            salt=salt,
            digest=digest,
            phone_digest=phone_digest,
            key_version=version,
        )
    )
    db.session.flush()
    return True


def share_contact_check(ticket: Ticket, other: Ticket) -> bool:
    """The answer that unlocks ``ticket`` unlocks ``other`` too (a ticket that follows it up
    from the status page); False when ``other`` has its own already or ``ticket`` has none."""
    check = db.session.get(ContactCheck, ticket.id)
    if check is None or db.session.get(ContactCheck, other.id) is not None:
        return False
    db.session.add(
        ContactCheck(
            ticket_id=other.id,
            salt=check.salt,
            digest=check.digest,
            phone_digest=check.phone_digest,
            key_version=check.key_version,
        )
    )
    db.session.flush()
    return True


def verify(reference: str, answer: str, agency_id: int | None = None) -> Ticket | None:
    """The ticket when ``answer`` unlocks ``reference`` (of agency ``agency_id``, when given);
    None otherwise, at the same cost. A hash made with an older answer key is re-made with the
    current one (committed)."""
    canonical = references.normalise_reference(reference or "") or ""
    row = db.session.execute(
        _of_agency(
            db.select(Ticket, ContactCheck)
            .outerjoin(ContactCheck, ContactCheck.ticket_id == Ticket.id)
            .where(Ticket.reference == canonical),
            agency_id,
        )
    ).first()
    check = row.ContactCheck if row is not None else None
    matched = _answer_matches(check, answer or "")
    if matched is None:
        return None
    _rekey_if_old(check, answer or "", matched)
    return row.Ticket


def _answer_matches(check: ContactCheck | None, answer: str) -> str | None:
    """Which hash ``answer`` matches (``digest`` or ``phone_digest``), None when neither;
    both are compared every time, so the cost says nothing."""
    key = answer_keys.key_for(check.key_version) if check is not None else None
    salt, expected = (check.salt, check.digest) if key is not None else (_DUMMY_SALT, _NEVER)
    phone = (check.phone_digest if key is not None else None) or _NEVER
    candidate = answer_keys.digest(key or answer_keys.current()[1], salt, answer)
    first = hmac.compare_digest(candidate, expected)
    second = hmac.compare_digest(candidate, phone)
    if key is None:
        return None
    return "digest" if first else "phone_digest" if second else None


def _rekey_if_old(check: ContactCheck, answer: str, matched: str) -> None:
    """Re-make the matched hash with the current key; the other one, whose answer we do not
    know, is dropped (the matched answer keeps unlocking)."""
    version, key = answer_keys.current()
    if check.key_version == version:
        return
    check.digest = answer_keys.digest(key, check.salt, answer)
    check.phone_digest = None
    check.key_version = version
    db.session.commit()
    log.info("status answer hash re-keyed key_version=%s", version)


def find(reference: str, agency_id: int | None = None) -> Ticket | None:
    """A ticket by reference as typed (case, separators and look-alikes forgiven), of agency
    ``agency_id`` when given."""
    canonical = references.normalise_reference(reference or "")
    if canonical is None:
        return None
    query = db.select(Ticket).where(Ticket.reference == canonical)
    return db.session.scalar(_of_agency(query, agency_id))


def _of_agency(query, agency_id: int | None):
    return query if agency_id is None else query.where(Ticket.agency_id == agency_id)


def request_code(reference: str, agency_id: int | None = None) -> None:
    """Send a one-time code to the complainant's own channel, when there is one.

    Answers nothing either way (run by a job: the page shows one message for every
    reference); at most ``CODES_PER_WINDOW`` codes per ticket per ``CODE_TTL`` and
    ``CODES_PER_DAY`` per day. An agency's status page asks only for its own references."""
    ticket = find(reference, agency_id)
    to = door.recipient(ticket) if ticket is not None else None
    if ticket is None or to is None or _codes_spent(ticket):
        return
    code = new_status_pin()
    db.session.add(
        VerificationCode(
            ticket_id=ticket.id,
            code_hash=_digest(str(ticket.id), code),
            channel=to.channel,
            attempts=0,
            expires_at=utcnow() + CODE_TTL,
        )
    )
    text = render(CODE_TEXT, ticket.language, reference=ticket.reference, code=code)
    # An OutboundMessage without a Message: the code never appears on any timeline.
    door.queue(ticket, "verification", text, to=to, subject=f"[{ticket.reference}]")
    db.session.commit()  # the code is sent once this commits


def _codes_spent(ticket: Ticket) -> bool:
    now = utcnow()
    day, window = now - dt.timedelta(days=1), now - CODE_TTL
    counts = db.session.execute(
        db.select(
            db.func.count(VerificationCode.id),
            db.func.count(VerificationCode.id).filter(VerificationCode.created_at >= window),
        ).where(VerificationCode.ticket_id == ticket.id, VerificationCode.created_at >= day)
    ).one()
    return counts[0] >= CODES_PER_DAY or counts[1] >= CODES_PER_WINDOW


def check_code(reference: str, code: str, agency_id: int | None = None) -> Ticket | None:
    """The ticket when ``code`` is its latest live code (one use, five attempts), of agency
    ``agency_id`` when given."""
    ticket = find(reference, agency_id)
    if ticket is None:
        hmac.compare_digest(_digest("0", code or ""), _NEVER)  # the same work
        return None
    row = db.session.scalar(
        db.select(VerificationCode)
        .where(
            VerificationCode.ticket_id == ticket.id,
            VerificationCode.used_at.is_(None),
            VerificationCode.expires_at > utcnow(),
        )
        .order_by(VerificationCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    candidate = _digest(str(ticket.id), (code or "").strip())
    if row is None or row.attempts >= CODE_MAX_ATTEMPTS:
        hmac.compare_digest(candidate, _NEVER)
        db.session.rollback()
        return None
    row.attempts += 1
    ok = hmac.compare_digest(candidate, row.code_hash)
    if ok:
        row.used_at = utcnow()
    db.session.commit()
    return ticket if ok else None


def public_status(ticket: Ticket, locale: str = "ms") -> dict[str, Any]:
    """What the complainant may see of ``ticket``, labels in ``locale`` (``ms``/``en``)."""
    status = TicketStatus(ticket.status)
    return {
        "reference": ticket.reference,
        "agency": ticket.agency.name,
        "status": status.value,
        "status_label": status.label(locale),
        "type_label": TicketType(ticket.type).label(locale),
        "category": ticket.category.name(locale) if ticket.category else None,
        "received_at": ticket.received_at,
        "acknowledge_due_at": ticket.acknowledge_due_at,
        "resolve_due_at": ticket.resolve_due_at,
        "acknowledged_at": ticket.acknowledged_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        "merged": ticket.merged_into_id is not None,
        "deadline": status_truths.deadline(ticket),
        "agency_name": (ticket.agency or db.session.get(Agency, ticket.agency_id)).name,
        "timeline": public_timeline(ticket, locale),
    }


def public_timeline(ticket: Ticket, locale: str = "ms") -> list[dict[str, Any]]:
    """Messages to and from the complainant and status changes, oldest first.

    Only this ticket's rows, plus the complainant's own replies that landed on the ticket it
    was merged into; internal notes (direction ``note``) are never selected, and no officer is
    named. A third party's message (someone in copy replying to all, recorded by threading as
    ``third_party_message``) and the reply of a merged ticket's complainant
    (``merged_replies``) are not this complainant's and are left out."""
    forwarded = merged_replies.forwarded_message_ids(ticket)
    messages = db.session.execute(
        db.select(Message.id, Message.direction, Message.body, Message.created_at)
        .where(
            db.or_(
                db.and_(Message.ticket_id == ticket.id, Message.direction.in_(("in", "out"))),
                db.and_(Message.id.in_(forwarded), Message.direction == "in"),
            )
        )
        .order_by(Message.created_at, Message.id)
    ).all()
    others = _third_party_message_ids(ticket) | merged_replies.foreign_message_ids(ticket)
    messages = [m for m in messages if m.id not in others]
    changes = db.session.execute(
        db.select(TicketEvent.kind, TicketEvent.after, TicketEvent.data, TicketEvent.created_at)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind.in_(_PUBLIC_EVENTS))
        .order_by(TicketEvent.id)
    ).all()
    items = [
        {"kind": "in" if m.direction == "in" else "out", "text": m.body, "at": m.created_at}
        for m in messages
    ]
    for change in changes:
        if change.kind != "status_changed":
            items.append(_referral_item(change.data or {}, change.created_at))
            continue
        value = (change.after or {}).get("status")
        if value in TicketStatus.values():
            label = TicketStatus(value).label(locale)
            reason = status_truths.status_reason(change.after, change.data)
            items.append(
                {"kind": "status", "text": label, "reason": reason, "at": change.created_at}
            )
    items += status_truths.attachment_items(ticket, [m.id for m in messages])
    return sorted(items, key=lambda item: item["at"])


def _referral_item(data: dict, at: dt.datetime) -> dict[str, Any]:
    """A referral as the complainant sees it: where it went (and its contact, outside the
    deployment); never who referred it."""
    name = data.get("to_agency") or data.get("to_name") or ""
    return {"kind": "referral", "text": name, "contact": data.get("to_contact"), "at": at}


def _third_party_message_ids(ticket: Ticket) -> set[int]:
    data = db.session.scalars(
        db.select(TicketEvent.data).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "third_party_message"
        )
    )
    return {d.get("message_id") for d in data if d}


def _digest(salt: str, answer: str) -> str:
    """A one-time code's hash: the current answer key (a code lives 10 minutes)."""
    return answer_keys.digest(answer_keys.current()[1], salt, answer)
