"""The WhatsApp 24-hour customer-service window, for everything we send on WhatsApp.

A free-form WhatsApp message reaches the complainant only within 24 hours of their last
message; outside it only an approved template may go out (Twilio error 63016, Meta 131047).
The window is checked when a row is *sent* (``outbound.deliver``), not when it is queued: a
reply queued inside the window may go out after it closed (retries, a parked channel). A
provider that still answers 63016/131047 — at once or later in a status callback — gets the
same treatment.

Outside the window a free-form row is **held**: state ``held``, its text kept, nothing sent.
Instead one notice template tells the complainant there is a new message on their ticket:
the agency setting ``whatsapp_notice_template`` (Twilio ContentSid) or
``whatsapp_cloud_notice_template`` (Meta template name), variables ``{{1}}`` the reference and
``{{2}}`` the status-page link, where the full text is shown. One notice per ticket until the
complainant writes again. Their next message on that channel reopens the window, and every row
held for them is queued again and delivered (``release_held``). Without a configured template
the row is held all the same and the assignee is told, so they can answer on another channel.

A held row does not wait for ever: after the agency's ``whatsapp_held_expiry_days`` (default
3) it is marked ``expired`` (``expire_held``, a periodic job): the timeline says the text never
reached WhatsApp and the assignee is told to use another channel. Its text stays on the ticket
and the status page; a later message from the complainant no longer sends it.

The acknowledgement has its own template (``replies.queue_acknowledgement``); a verification
code is never held (it expires within minutes).

Templates per language: the settings above hold the Bahasa Malaysia template, the same key with
``_en`` the English one (``whatsapp_notice_template_en``…). The ticket's language picks one, the
other language's template stands in when it is missing. The chosen template's language is kept
with the row's variables (key ``language``, never sent as a variable): Meta needs it as the
template's language code.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging

from aduan.extensions import db
from aduan.models import Message, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.services import workflow

log = logging.getLogger(__name__)

WINDOW = dt.timedelta(hours=24)
WINDOW_CHANNELS = frozenset({"whatsapp", "whatsapp_cloud"})
NOTICE_SETTING = {
    "whatsapp": "whatsapp_notice_template",
    "whatsapp_cloud": "whatsapp_cloud_notice_template",
}
ACK_SETTING = {"whatsapp": "whatsapp_ack_template", "whatsapp_cloud": "whatsapp_cloud_ack_template"}
# What the providers answer to a free-form message outside the window (Twilio, Meta).
WINDOW_CLOSED_CODES = frozenset({"63016", "131047"})
NEVER_HELD = frozenset({"verification"})
LANGUAGES = ("ms", "en")
TEMPLATE_LANGUAGE = "language"  # in OutboundMessage.template_variables: not a variable
NOTICE = "window_notice"
HELD_ERROR = "held: outside the WhatsApp 24-hour window"
EXPIRED_ERROR = "expired: the complainant did not write again on WhatsApp"
HELD_EXPIRY_SETTING = "whatsapp_held_expiry_days"
DEFAULT_HELD_EXPIRY_DAYS = 3
EXPIRE_BATCH = 200


def template_setting(base: str, language: str) -> str:
    """The settings key of a template in ``language``: ``base`` for BM, ``base_en`` for EN."""
    return base if language == "ms" else f"{base}_{language}"


def pick_template(settings: dict | None, base: str, language: str) -> tuple[str, str] | None:
    """(template, its language): the one in ``language``, else the other language's; None
    when neither is configured."""
    wanted = "en" if language == "en" else "ms"
    for candidate in sorted(LANGUAGES, key=lambda lang: lang != wanted):
        template = (settings or {}).get(template_setting(base, candidate))
        if template:
            return str(template), candidate
    return None


def split_variables(variables: dict | None) -> tuple[dict[str, str], str | None]:
    """A row's stored variables → (the template's variables, the template's language)."""
    stored = dict(variables or {})
    language = stored.pop(TEMPLATE_LANGUAGE, None)
    return {str(k): str(v) for k, v in stored.items()}, language


def window_open(channel: str, handle: str, now: dt.datetime | None = None) -> bool:
    """True when the complainant wrote on ``channel`` within the last 24 hours.

    Decided by the latest inbound message on that very channel, not by
    ContactIdentity.last_inbound_at: the phone identity is shared with SMS and voice, and an
    SMS from the same number opens no WhatsApp window."""
    last = _last_inbound(channel, handle)
    return last is not None and (now or utcnow()) - last < WINDOW


def _last_inbound(channel: str, handle: str) -> dt.datetime | None:
    return db.session.scalar(
        db.select(db.func.max(Message.created_at)).where(
            Message.direction == "in", Message.channel == channel, Message.sender == handle
        )
    )


def must_wait(row: OutboundMessage) -> bool:
    """True when ``row`` is free-form WhatsApp and the complainant's window is closed."""
    return (
        row.channel in WINDOW_CHANNELS
        and not row.template
        and not window_open(row.channel, row.to_handle)
    )


def closed_by_provider(row: OutboundMessage, code: str | None) -> bool:
    """True when the provider refused a free-form WhatsApp row because the window is closed."""
    return row.channel in WINDOW_CHANNELS and not row.template and str(code) in WINDOW_CLOSED_CODES


def may_hold(row: OutboundMessage) -> bool:
    return row.purpose not in NEVER_HELD


def hold(row: OutboundMessage) -> OutboundMessage | None:
    """Hold ``row`` until the complainant writes again or it expires; queue the notice
    template (flushed, returned; the caller enqueues it after its commit) unless one is
    already waiting."""
    row.state = "held"
    row.error = HELD_ERROR
    ticket = db.session.get(Ticket, row.ticket_id) if row.ticket_id else None
    # On a held row next_attempt_at is when it expires (``expire_held``).
    row.next_attempt_at = utcnow() + dt.timedelta(days=held_expiry_days(ticket))
    if ticket is None:
        return None
    template = pick_template(ticket.agency.settings, NOTICE_SETTING[row.channel], ticket.language)
    notice = _pending_notice(row) if template else None
    created = notice is None and template is not None
    if created:
        notice = _new_notice(row, ticket, *template)
    data = {"outbound_id": row.id, "channel": row.channel, "notice_id": notice and notice.id}
    data["expires_at"] = row.next_attempt_at.isoformat()
    if notice is not None:
        variables, language = split_variables(notice.template_variables)
        data.update(template=notice.template, variables=variables, template_language=language)
    workflow.record_event(ticket, "held_outside_window", data=data)
    if not template:
        _tell_assignee(ticket, row)
    log.info("outbound held outbound_id=%s channel=%s notice=%s", row.id, row.channel, created)
    return notice if created else None


def release_held(message: Message) -> list[int]:
    """The complainant wrote on WhatsApp: queue every row held for them again (flushed). The
    ids are enqueued after the caller's commit (``outbound.enqueue_after_commit``)."""
    if message.direction != "in" or message.channel not in WINDOW_CHANNELS or not message.sender:
        return []
    rows = db.session.scalars(
        db.select(OutboundMessage)
        .where(
            OutboundMessage.state == "held",
            OutboundMessage.channel == message.channel,
            OutboundMessage.to_handle == message.sender,
        )
        .order_by(OutboundMessage.id)
        .with_for_update()
    ).all()
    for row in rows:
        row.state, row.error, row.next_attempt_at = "queued", None, None
        row.provider_id = None  # of the refused attempt: its late statuses must not match
        ticket = db.session.get(Ticket, row.ticket_id) if row.ticket_id else None
        if ticket is not None:
            workflow.record_event(
                ticket, "held_released", data={"outbound_id": row.id, "channel": row.channel}
            )
    db.session.flush()
    return [row.id for row in rows]


def held_expiry_days(ticket: Ticket | None) -> int:
    """How many days a held row waits for the complainant: the agency's setting, else 3."""
    settings = (ticket.agency.settings or {}) if ticket is not None else {}
    try:
        days = int(settings.get(HELD_EXPIRY_SETTING) or DEFAULT_HELD_EXPIRY_DAYS)
    except (TypeError, ValueError):
        days = DEFAULT_HELD_EXPIRY_DAYS
    return max(days, 1)


def expire_held(now: dt.datetime | None = None, batch: int = EXPIRE_BATCH) -> int:
    """Mark every held row whose expiry passed ``expired``, with a ``held_expired`` event and a
    word to the assignee; commits per batch and returns how many expired.

    Safe twice or at once: rows are taken with SKIP LOCKED and an expired row is never chosen
    again; ``release_held`` locks the same rows, so a row is either released or expired. Rows
    held before expiries were recorded count from when they were queued."""
    now = now or utcnow()
    total = 0
    while True:
        rows = db.session.scalars(
            _expired_query(now).limit(batch).with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            _expire(row)
        db.session.commit()
        total += len(rows)
        if len(rows) < batch:
            return total


def _expired_query(now: dt.datetime):
    recorded = OutboundMessage.next_attempt_at <= now
    legacy = OutboundMessage.next_attempt_at.is_(None) & (
        OutboundMessage.created_at <= now - dt.timedelta(days=DEFAULT_HELD_EXPIRY_DAYS)
    )
    return (
        db.select(OutboundMessage)
        .where(OutboundMessage.state == "held", recorded | legacy)
        .order_by(OutboundMessage.id)
    )


def _expire(row: OutboundMessage) -> None:
    row.state, row.error, row.next_attempt_at = "expired", EXPIRED_ERROR, None
    ticket = db.session.get(Ticket, row.ticket_id) if row.ticket_id else None
    log.info("held outbound expired outbound_id=%s channel=%s", row.id, row.channel)
    if ticket is None:
        return
    data = {"outbound_id": row.id, "channel": row.channel, "days": held_expiry_days(ticket)}
    workflow.record_event(ticket, "held_expired", data=data)
    _tell_assignee_expired(ticket, row, data["days"])


def notice_variables(ticket: Ticket) -> dict[str, str]:
    """``{{1}}`` the reference, ``{{2}}`` the status-page link."""
    replies = importlib.import_module("aduan.services.replies")  # replies imports outbound
    return {"1": ticket.reference, "2": replies.status_link(ticket)}


def use_acknowledgement_template(row: OutboundMessage) -> bool:
    """An acknowledgement queued inside the window but sent after it becomes the agency's
    acknowledgement template, as if it had been queued outside; False when none is set."""
    ticket = db.session.get(Ticket, row.ticket_id) if row.ticket_id else None
    if row.purpose != "acknowledgement" or ticket is None:
        return False
    replies = importlib.import_module("aduan.services.replies")  # replies imports outbound
    template = replies.acknowledgement_template(ticket, row.channel)
    if template is None:
        return False
    row.template, row.template_variables = template
    return True


def _pending_notice(row: OutboundMessage) -> OutboundMessage | None:
    """A notice for this ticket and handle not yet answered by a message from the complainant."""
    last_in = _last_inbound(row.channel, row.to_handle)
    query = db.select(OutboundMessage).where(
        OutboundMessage.purpose == NOTICE,
        OutboundMessage.ticket_id == row.ticket_id,
        OutboundMessage.channel == row.channel,
        OutboundMessage.to_handle == row.to_handle,
        OutboundMessage.state != "failed",
    )
    if last_in is not None:
        query = query.where(OutboundMessage.created_at > last_in)
    return db.session.scalar(query.order_by(OutboundMessage.id.desc()).limit(1))


def _new_notice(
    row: OutboundMessage, ticket: Ticket, template: str, language: str
) -> OutboundMessage:
    notice = OutboundMessage(
        ticket_id=ticket.id,
        purpose=NOTICE,
        channel=row.channel,
        account_key=row.account_key,
        to_handle=row.to_handle,
        body="",
        template=template,
        template_variables={**notice_variables(ticket), TEMPLATE_LANGUAGE: language},
        state="queued",
        attempts=0,
    )
    db.session.add(notice)
    db.session.flush()
    return notice


def _tell_assignee(ticket: Ticket, row: OutboundMessage) -> None:
    if ticket.assignee is None:
        return
    from aduan.services.notifications import notify

    ref = ticket.reference
    notify(
        ticket.assignee,
        "message_held",
        title_ms=f"Mesej ditahan (di luar tempoh 24 jam WhatsApp): {ref}",
        title_en=f"Message held (outside the WhatsApp 24-hour window): {ref}",
        body_ms=(
            "Tiada templat WhatsApp dikonfigurasi. Mesej akan dihantar apabila pengadu menulis "
            "semula; balas melalui saluran lain jika perlu."
        ),
        body_en=(
            "No WhatsApp template is configured. The message goes out when the complainant "
            "writes again; reply on another channel if it cannot wait."
        ),
        ticket=ticket,
        dedupe_key=f"message_held-{row.id}",
    )


def _tell_assignee_expired(ticket: Ticket, row: OutboundMessage, days: int) -> None:
    if ticket.assignee is None:
        return
    from aduan.services.notifications import notify

    ref = ticket.reference
    notify(
        ticket.assignee,
        "message_held_expired",
        title_ms=f"Mesej WhatsApp tidak sampai (tamat tempoh): {ref}",
        title_en=f"WhatsApp message never delivered (expired): {ref}",
        body_ms=(
            f"Pengadu tidak menulis semula dalam {days} hari, jadi mesej yang ditahan tidak "
            "dihantar melalui WhatsApp. Hubungi pengadu melalui saluran lain."
        ),
        body_en=(
            f"The complainant did not write again within {days} days, so the held message "
            "was not sent on WhatsApp. Contact the complainant on another channel."
        ),
        ticket=ticket,
        dedupe_key=f"message_held_expired-{row.id}",
    )
