"""The one door for everything sent to a person (complainant or officer).

``queue`` decides whom to reach and on which channel (``contact``), from which account
(``sending_account``), builds the OutboundMessage, and has it enqueued for delivery once the
caller's transaction commits (``enqueueing``); a rollback takes the row and its enqueue away
together. Callers say what is sent and why; they never build an OutboundMessage themselves.

The sending account is the agency's, never another agency's: the account the complainant last
wrote to on that channel about this ticket, when it belongs to the ticket's agency; else the
agency's own account for the channel; else ``default``, but only for the default agency (the
one that owns the environment's accounts). Another agency without an account of its own gets
``agency-<id>``, which no adapter answers to: the row waits ("parked") instead of leaving from
someone else's number, and is re-addressed when looked at again (``delivery._park``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from aduan.extensions import db
from aduan.languages import DEFAULT_LANGUAGE, citizen_language
from aduan.models import (
    ChannelAccount,
    Complainant,
    ContactIdentity,
    InboundEvent,
    Message,
    Officer,
    OutboundMessage,
    Ticket,
)
from aduan.services import group_writes
from aduan.services.channel_config.accounts import DEFAULT_KEY, default_agency_id, find_account
from aduan.services.intake import reference_cache
from aduan.services.outbox.enqueueing import enqueue_after_commit
from aduan.services.outbox.texts import identity_types, reply_channel

Text = str | Mapping[str, str]


class OnlyMessage(NamedTuple):
    """The one message a ticket opened at intake holds: its channel, the account key it came
    in on, and its sender's identity (kind, handle) when it has one."""

    channel: str
    account_key: str
    sender: tuple[str, str] | None = None


class Recipient(NamedTuple):
    """Where one message goes: the channel, the person's handle there, and our account."""

    channel: str
    handle: str
    account_key: str


def queue(
    ticket: Ticket | None,
    purpose: str,
    text: Text,
    *,
    channel: str | None = None,
    to: Recipient | None = None,
    subject: str | None = None,
    template: str | None = None,
    variables: Mapping[str, str] | None = None,
    buttons: list | None = None,
    prepare: Callable[[OutboundMessage], None] | None = None,
) -> OutboundMessage | None:
    """Queue one message to a person and have it sent after the caller's commit.

    ``text`` is the body, or ``{"ms": …, "en": …, …}`` for the ticket's language. The recipient
    is ``to`` when given (an officer, a bot chat, a held row's number), else the ticket's
    complainant on ``channel`` (default: the ticket's own). Returns the row (flushed, unless
    a group is gathered: ``group_writes``), or None when the complainant cannot be reached
    (anonymous, or no handle on that channel).
    ``prepare(row)`` runs before the row's insert (its timeline message linked in the same
    flush instead of by an UPDATE after it)."""
    if to is None and ticket is not None:
        to = recipient(ticket, channel)
    if to is None:
        return None
    row = OutboundMessage(
        ticket=ticket,  # maybe inserted by the same flush (``group_writes``)
        purpose=purpose,
        channel=to.channel,
        account_key=to.account_key,
        to_handle=to.handle[:254],
        subject=subject,
        body=in_language(text, ticket),
        template=template,
        template_variables=dict(variables or {}),
        buttons=buttons or None,
        state="queued",
        attempts=0,
    )
    if prepare is not None:
        prepare(row)
    db.session.add(row)
    group_writes.flush()
    enqueue_after_commit(row, purpose)
    return row


def in_language(text: Text, ticket: Ticket | None) -> str:
    """``text`` itself, or its version in the ticket's language (Bahasa Malaysia when the
    text has none in that language)."""
    if isinstance(text, str):
        return text
    language = citizen_language(ticket.language if ticket is not None else None)
    return text.get(language) or text[DEFAULT_LANGUAGE]


def recipient(
    ticket: Ticket, channel: str | None = None, *, only_message: OnlyMessage | None = None
) -> Recipient | None:
    """The complainant of ``ticket`` on ``channel`` (default: the ticket's own) and the
    agency's account to write from; None when they cannot be reached.

    ``only_message`` (intake, a ticket opened by one message): the account it came in on is
    known without reading the messages, and on the ticket's own channel the answer goes to
    the handle it came from (``_sender``)."""
    found = _sender(ticket, channel, only_message) or contact(ticket, channel)
    if found is None:
        return None
    return Recipient(found[0], found[1], sending_account(ticket, found[0], only_message))


def _sender(
    ticket: Ticket, channel: str | None, only: OnlyMessage | None
) -> tuple[str, str] | None:
    """The handle the ticket's one message came from, when ``contact`` would look on its
    channel first: with no lookup, and the sender's even if another of the complainant's
    handles of that kind was used later (a message processed out of order)."""
    if only is None or only.sender is None or channel is not None:
        return None
    wanted = reply_channel(ticket.origin_channel)
    kind, handle = only.sender
    anonymous = ticket.complainant_id is None and ticket.complainant is None  # maybe pending
    if anonymous or wanted is None or wanted != reply_channel(only.channel):
        return None
    return (wanted, handle) if handle and kind in identity_types(wanted) else None


def officer_recipient(officer: Officer) -> Recipient | None:
    """An officer by e-mail, from their agency's own mailbox, else the platform's default
    one (an internal notice carries no agency's name to the public)."""
    if not officer.email:
        return None
    return Recipient("email", officer.email, _agency_account(officer.agency_id, "email"))


def contact(ticket: Ticket, channel: str | None = None) -> tuple[str, str] | None:
    """``(channel, handle)`` to reach the complainant: on ``channel`` when asked for (None
    when they have no handle there), else on the ticket's own channel, falling back to their
    e-mail, then their phone by SMS."""
    group_writes.settle(ticket)  # its complainant_id is compared below
    if ticket.complainant_id is None:
        return None
    wanted = reply_channel(channel or ticket.origin_channel)  # the manifest's: voice → sms
    if wanted is None:  # web form, counter, telephone: no channel of their own
        return _on(ticket, "email") or _on(ticket, "sms") or _from_record(ticket)
    found = _on(ticket, wanted)
    if found is not None or channel is not None:
        return found
    return _on(ticket, "email") or _on(ticket, "sms") or _from_record(ticket)


def _on(ticket: Ticket, channel: str) -> tuple[str, str] | None:
    """The complainant's most recently used handle of the kind ``channel`` writes to."""
    handle = db.session.scalar(
        db.select(ContactIdentity.handle)
        .where(
            ContactIdentity.complainant_id == ticket.complainant_id,
            ContactIdentity.channel_type.in_(identity_types(channel)),
        )
        .order_by(ContactIdentity.last_inbound_at.desc().nulls_last(), ContactIdentity.id.desc())
        .limit(1)
    )
    return (channel, handle) if handle else None


def _from_record(ticket: Ticket) -> tuple[str, str] | None:
    """The e-mail or phone on the complainant's record when no identity holds one."""
    complainant = db.session.get(Complainant, ticket.complainant_id)
    if complainant is not None and complainant.email:
        return "email", complainant.email
    if complainant is not None and complainant.phone:
        return "sms", complainant.phone
    return None


def sending_account(ticket: Ticket, channel: str, only_message: OnlyMessage | None = None) -> str:
    """The key of the ticket's agency's account to send on ``channel`` from: the one the
    complainant last wrote to about this ticket, else the agency's own, else ``default`` for
    the default agency and ``agency-<id>`` (no such account: the row waits) for another.
    ``only_message``: see ``recipient``."""
    if only_message is not None:
        last = only_message.account_key if only_message.channel == channel else None
    else:
        group_writes.settle(ticket)
        last = db.session.scalar(
            db.select(InboundEvent.account_key)
            .join(Message, Message.inbound_event_id == InboundEvent.id)
            .where(Message.ticket_id == ticket.id, Message.channel == channel)
            .order_by(Message.id.desc())
            .limit(1)
        )
    if last is not None and _owner(channel, last) == ticket.agency_id:
        return last
    return _agency_account(ticket.agency_id, channel, fallback=f"agency-{ticket.agency_id}")


def _agency_account(agency_id: int, channel: str, fallback: str = DEFAULT_KEY) -> str:
    own = db.session.scalar(
        db.select(ChannelAccount.account_key)
        .where(
            ChannelAccount.agency_id == agency_id,
            ChannelAccount.channel == channel,
            ChannelAccount.active.is_(True),
        )
        .order_by(ChannelAccount.id)
        .limit(1)
    )
    if own is not None:
        return own
    if find_account(channel, DEFAULT_KEY) is None and agency_id == default_agency_id():
        return DEFAULT_KEY  # the environment's account, which the default agency owns
    return fallback


def _owner(channel: str, account_key: str) -> int | None:
    """The agency an account belongs to (the environment's ``default``: the default agency).
    Cached per process (``reference_cache``: an account's or agency's edit clears it)."""
    return reference_cache.cached(
        ("account-owner", channel, account_key), lambda: _read_owner(channel, account_key)
    )


def _read_owner(channel: str, account_key: str) -> int | None:
    row = find_account(channel, account_key)
    if row is not None:
        return row.agency_id
    return default_agency_id() if account_key == DEFAULT_KEY else None
