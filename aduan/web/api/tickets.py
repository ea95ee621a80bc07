"""``/api/v1/tickets``: the inbox's list, a ticket with its timeline, and the ticket page's
actions — each through the service the page calls, within ``tickets.access``'s scope."""

from __future__ import annotations

from flask import request
from marshmallow import Schema

from aduan.errors import NotFound, StaleTicket, ValidationFailed
from aduan.models import Ticket
from aduan.schemas.tickets import (
    AssignSchema,
    MergeSchema,
    NoteSchema,
    ReplySchema,
    StatusChangeSchema,
    TicketCreateSchema,
    TicketDetailSchema,
    TicketListQuerySchema,
    TicketSchema,
    TimelineItemSchema,
    TransferSchema,
)
from aduan.services.api_tokens import idempotency
from aduan.services.inbox import queries
from aduan.services.intake import counter_entry
from aduan.services.outbox import replies
from aduan.services.tickets import access, actions, merging, workflow
from aduan.web.api.blueprint import audience, bp, principal, requires
from aduan.web.inbox.timeline import Item, timeline

MERGED = "This ticket is merged: unmerge it first."


def body(schema: Schema) -> dict:
    """The JSON object of the request, loaded by ``schema`` (422 problem when invalid)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed("send a JSON object", errors={"_body": ["a JSON object"]})
    return schema.load(data)


def _load(reference: str, action: str) -> Ticket:
    ticket = access.get_ticket_for(principal(), reference)
    access.log_access(principal(), ticket, action)
    return ticket


def _dump(ticket: Ticket, status: int = 200):
    return TicketSchema(view=audience()).dump(ticket), status


@bp.get("/tickets")
@requires("read")
def list_tickets():
    args = TicketListQuerySchema().load(request.args.to_dict())
    queue, cursor, limit = args.pop("queue"), args.pop("cursor", None), args.pop("limit")
    found = queries.page(principal(), queue, queries.Filters(**args), cursor, limit)
    items = TicketSchema(view=audience()).dump(found.tickets, many=True)
    return {"items": items, "next_cursor": found.next_cursor}


@bp.post("/tickets")
@requires("write")
def create_ticket():
    """A counter or telephone entry (``intake.counter_entry``), by an officer or a token."""
    key = idempotency.check_key(request.headers.get("Idempotency-Key"))
    again = idempotency.replay(principal(), key, "tickets.create")
    if again is not None:
        return _replayed(again)
    form = body(TicketCreateSchema())
    form["entry_id"] = idempotency.provider_id(principal(), key, "tickets.create")
    result = counter_entry.record(principal(), form)
    if result.ticket is None:
        reason = counter_entry.refused_reason(form["channel"], form["entry_id"])
        raise ValidationFailed("the complaint was stored but not opened", errors={
            "_form": [reason or "intake could not open a ticket yet"]})  # fmt: skip
    idempotency.remember(principal(), key, "tickets.create", result.ticket)
    if not result.created:
        return _replayed(result.ticket)
    return _dump(result.ticket, 201)


def _replayed(ticket: Ticket):
    data, _ = _dump(ticket, 201)
    return data, 201, {"Idempotent-Replayed": "true"}


@bp.get("/tickets/<reference>")
@requires("read")
def get_ticket(reference: str):
    ticket = _load(reference, "view")
    workflow.commit()
    view = audience()
    data = TicketDetailSchema(view=view).dump(ticket)
    data["timeline"] = TimelineItemSchema(view=view).dump(
        [_item(i) for i in timeline(ticket)], many=True
    )
    return data


def _item(item: Item) -> dict:
    message, event = item.message, item.event
    return {
        "kind": item.kind, "at": item.at,
        "channel": message.channel if message else None,
        "body": message.body if message else None,
        "event": event.kind if event else None,
        "actor_kind": event.actor_kind if event else None,
        "author_id": (message.author_id if message else event.actor_id),
        "data": dict(event.data or {}) if event else None,
    }  # fmt: skip


def _act(reference: str, action: str, *, merged_ok: bool = False) -> Ticket:
    ticket = _load(reference, action)
    if ticket.merged_into_id and not merged_ok:
        raise ValidationFailed(MERGED, errors={"reference": ["merged"]})
    return ticket


def _expect(ticket: Ticket, version: int) -> None:
    if version != ticket.version:
        raise StaleTicket(workflow.stale_message(ticket.reference))


@bp.post("/tickets/<reference>/replies")
@requires("write")
def reply(reference: str):
    """A reply on the complainant's channel (``outbox.replies.queue_reply``: the one door)."""
    data = body(ReplySchema())
    ticket = _act(reference, "reply")
    replies.queue_reply(ticket, principal(), data["body"].strip(), data["channel"])
    return _dump(ticket, 201)


@bp.post("/tickets/<reference>/notes")
@requires("write")
def note(reference: str):
    data = body(NoteSchema())
    ticket = _act(reference, "note", merged_ok=True)
    actions.add_note(ticket, principal(), data["body"])
    workflow.commit()
    return _dump(ticket, 201)


@bp.post("/tickets/<reference>/status")
@requires("write")
def change_status(reference: str):
    data = body(StatusChangeSchema())
    ticket = _act(reference, "status")
    workflow.change_status(ticket, data["status"], actor=principal(), reason=data["reason"],
                           expected_version=data["version"])  # fmt: skip
    workflow.commit()
    return _dump(ticket)


@bp.post("/tickets/<reference>/assignment")
@requires("write")
def assign(reference: str):
    data = body(AssignSchema())
    ticket = _act(reference, "assign")
    _expect(ticket, data["version"])
    actions.assign(ticket, principal(), data["officer_id"])
    workflow.commit()
    return _dump(ticket)


@bp.post("/tickets/<reference>/transfer")
@requires("write")
def transfer(reference: str):
    data = body(TransferSchema())
    ticket = _act(reference, "transfer")
    _expect(ticket, data["version"])
    actions.transfer(ticket, principal(), data["unit_id"], data["note"])
    workflow.commit()
    return _dump(ticket)


@bp.post("/tickets/<reference>/merge")
@requires("write")
def merge(reference: str):
    """Merge the duplicate named in the body into this ticket (both in the caller's scope)."""
    data = body(MergeSchema())
    ticket = _act(reference, "merge")
    _expect(ticket, data["version"])
    try:
        duplicate = access.get_ticket_for(principal(), data["duplicate"])
    except NotFound:
        raise ValidationFailed("no such ticket in your scope", errors={"duplicate": ["unknown"]})
    access.log_access(principal(), duplicate, "merge")
    merging.merge(duplicate, ticket, principal())
    workflow.commit()
    return _dump(ticket)
