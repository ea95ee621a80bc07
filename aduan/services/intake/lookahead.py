"""A drain's group reads ahead: the lookups each new message makes, for the whole group in
one query each (issue #19, ``group_writes``).

Every message event is parsed once, here (its parse is kept for its turn), and for all of the
group's messages at once three questions are asked that each message would ask alone:

- who sent it: the sender's identity in the receiving agency (``pipeline.find_identity``);
- whether it is stored already (``pipeline._already_stored``): a provider's retry;
- the bot conversation of its chat, locked for the transaction, in id order
  (``bot_session.lock_conversation``).

Each answer is kept in ``group_writes`` and given once. A message that cannot be parsed is
skipped here and fails in its own turn.
"""

from __future__ import annotations

from aduan.extensions import db
from aduan.models import ContactIdentity, InboundEvent, Message
from aduan.models.bots import BotConversation
from aduan.services import group_writes
from aduan.services.channel_config import lookup as channel_lookup
from aduan.services.citizen.bot_session import locked_conversations
from aduan.services.intake.identities import normalise_handle
from aduan.services.intake.pipeline import identity_key, raw_event
from aduan.services.outbox.texts import sender_identity_type
from channels.base import ParseError


def read_ahead(events: list[InboundEvent]) -> None:
    """Parse ``events`` and keep the answers to their messages' lookups (see above)."""
    parsed, identities, stored, chats = {}, set(), set(), set()
    for event in events:
        if event.kind == "status":
            continue
        adapter = channel_lookup.adapter_for(event.channel, event.account_key)
        try:
            parsed[event.id] = messages = list(adapter.parse(raw_event(event)))
        except ParseError:
            continue  # quarantined in its own turn
        agency_id = channel_lookup.agency_for(event.channel, event.account_key).id
        for message in messages:
            kind, handle = identity_key(message)
            if handle:
                identities.add((agency_id, kind, handle))
            if message.provider_id:
                stored.add((message.channel, message.provider_id))
            chat = sender_identity_type(message.channel, message.extra)
            chats.add((message.channel, event.account_key, _chat_handle(chat, message)))
    group_writes.keep("parsed", parsed)
    group_writes.keep("identity", _identities(identities))
    group_writes.keep("stored", _stored(stored))
    group_writes.keep("conversation", _conversations(chats))


def _chat_handle(kind: str, message) -> str:
    """The chat's handle as ``bot_session.Context`` writes it."""
    return normalise_handle(kind, message.sender_handle)[:254]


def _identities(keys: set[tuple[int, str, str]]) -> dict[tuple, ContactIdentity | None]:
    """One query per agency and kind of handle (a group has one or two): every key column in
    the unique index's condition, whatever the table's statistics say."""
    found = {}
    for (agency_id, kind), handles in _by_prefix(keys).items():
        rows = db.session.scalars(
            db.select(ContactIdentity).where(
                ContactIdentity.agency_id == agency_id,
                ContactIdentity.channel_type == kind,
                ContactIdentity.handle.in_(handles),
            )
        )
        found.update({(row.agency_id, row.channel_type, row.handle): row for row in rows})
    return {key: found.get(key) for key in keys}


def _stored(keys: set[tuple[str, str]]) -> dict[tuple[str, str], bool]:
    """As ``_identities``: one query per channel."""
    found = set()
    for (channel,), provider_ids in _by_prefix(keys).items():
        query = db.select(Message.channel, Message.provider_id).where(
            Message.channel == channel, Message.provider_id.in_(provider_ids)
        )
        found.update(db.session.execute(query).tuples())
    return {key: key in found for key in keys}


def _conversations(keys: set[tuple[str, str, str]]) -> dict[tuple, BotConversation | None]:
    """As ``_identities``: one query per bot (channel and account)."""
    found = {}
    for (channel, account_key), handles in _by_prefix(keys).items():
        found.update(locked_conversations(channel, account_key, handles))
    return {key: found.get(key) for key in keys}


def _by_prefix(keys: set[tuple]) -> dict[tuple, list]:
    """The keys' last parts grouped by the parts before it, sorted (one statement shape)."""
    grouped: dict[tuple, list] = {}
    for key in sorted(keys):
        grouped.setdefault(key[:-1], []).append(key[-1])
    return grouped
