"""Which ticket events the agency's webhooks hear of, and their delivery rows.

``tickets.workflow.record_event`` hands every TicketEvent to ``note`` (the one hook): nothing
is asked of the database then. When the ticket's transaction commits, the events still in it
become one delivery row per matching subscription of *the ticket's agency*, in the same
transaction (``before_commit``); once it has committed, each row's send job is enqueued
(``after_commit``). A rollback forgets them with the events. Redis refusing the enqueue costs
nothing but time: the row stays ``pending`` and ``delivery.redrive_due`` (periodic) sends it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid

from sqlalchemy import event as orm_event
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from aduan.models import Ticket, TicketEvent
from aduan.models.base import utcnow
from aduan.models.webhooks import WebhookDelivery, WebhookSubscription
from aduan.queues import DELIVER_WEBHOOK_JOB, OUTBOUND, enqueue_once
from aduan.services.webhooks.subscriptions import active_for
from aduan.vocabulary import TicketStatus as S

log = logging.getLogger(__name__)

_NOTED = "webhook_events_noted"
_TO_ENQUEUE = "webhook_deliveries_to_enqueue"
_BY_KIND = {
    "created": "ticket.created",
    "assigned": "ticket.assigned",
    "reply_queued": "ticket.replied",
    "escalated": "ticket.breached",  # the SLA sweep: a deadline passed (level 0), escalations
}
# A finished matter (Ticket.resolved_at is set on each): resolved, referred, no further action.
FINISHED = frozenset({S.RESOLVED.value, S.OUT_OF_JURISDICTION.value, S.NO_FURTHER_ACTION.value})


def names_for(kind: str, after: dict | None) -> list[str]:
    """The webhook events one TicketEvent is: a status change may also be resolved/closed."""
    if kind != "status_changed":
        return [_BY_KIND[kind]] if kind in _BY_KIND else []
    status = (after or {}).get("status")
    names = ["ticket.status_changed"]
    if status in FINISHED:
        names.append("ticket.resolved")
    if status == S.CLOSED.value:
        names.append("ticket.closed")
    return names


def note(ticket_event: TicketEvent, session: Session) -> None:
    """Remember ``ticket_event`` for the webhooks, if it is one they hear of."""
    if names_for(ticket_event.kind, ticket_event.after):
        session.info.setdefault(_NOTED, []).append(ticket_event)


def job_id(delivery_id: int) -> str:
    """The send job's id for one delivery row: one live job per row."""
    return f"webhook-{delivery_id}"


def enqueue(delivery_id: int) -> bool:
    """Enqueue the send job now (a live one is left alone); False when Redis refused."""
    try:
        enqueue_once(OUTBOUND, DELIVER_WEBHOOK_JOB, delivery_id, job_id=job_id(delivery_id))
    except Exception as exc:  # Redis down: the committed row waits for the periodic re-drive
        log.warning("webhook enqueue failed delivery_id=%s error=%s", delivery_id, exc)
        return False
    return True


def payload(name: str, event_id: str, ticket_event: TicketEvent, ticket: Ticket) -> dict:
    """The JSON body: the event, the ticket as committed (no complainant data) and the change."""
    agency = ticket.agency
    return {
        "id": event_id,
        "type": name,
        "occurred_at": _iso(ticket_event.created_at or utcnow()),
        "agency": {"id": ticket.agency_id, "code": agency.code if agency else None},
        "ticket": {
            "id": ticket.id,
            "reference": ticket.reference,
            "status": ticket.status,
            "type": ticket.type,
            "origin_channel": ticket.origin_channel,
            "category_id": ticket.category_id,
            "unit_id": ticket.unit_id,
            "assignee_id": ticket.assignee_id,
            "received_at": _iso(ticket.received_at),
            "resolve_due_at": _iso(ticket.resolve_due_at),
            "resolved_at": _iso(ticket.resolved_at),
            "closed_at": _iso(ticket.closed_at),
        },
        "change": {
            "kind": ticket_event.kind,
            "actor_kind": ticket_event.actor_kind,
            "actor_id": ticket_event.actor_id,
            "before": ticket_event.before,
            "after": ticket_event.after,
            "data": ticket_event.data or {},
        },
    }


@orm_event.listens_for(Session, "before_commit")
def _make_deliveries(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction's own commit comes later
    noted = session.info.pop(_NOTED, None)
    if not noted:
        return
    session.flush()  # ids for the tickets and events; a savepoint's rolled-back ones drop out
    listening: dict[int, list[WebhookSubscription]] = {}
    rows = []
    for ticket_event in noted:
        if not inspect(ticket_event).persistent:
            continue
        agency_id = ticket_event.ticket.agency_id
        if agency_id not in listening:
            listening[agency_id] = active_for(agency_id)  # the ticket's agency, and only it
        if listening[agency_id]:
            rows += _rows_for(ticket_event, listening[agency_id])
    if rows:
        session.add_all(rows)
        session.flush()
        session.info.setdefault(_TO_ENQUEUE, []).extend(r.id for r in rows)


def _rows_for(
    ticket_event: TicketEvent, subscriptions: list[WebhookSubscription]
) -> list[WebhookDelivery]:
    ticket, rows = ticket_event.ticket, []
    for name in names_for(ticket_event.kind, ticket_event.after):
        listening = [s for s in subscriptions if name in (s.events or ())]
        if not listening:
            continue
        event_id = f"evt_{uuid.uuid4().hex}"
        try:
            data = payload(name, event_id, ticket_event, ticket)
        except Exception:  # a webhook never costs the ticket its transaction
            log.exception("webhook payload failed ticket_id=%s event=%s", ticket.id, name)
            continue
        body = json.dumps(data, separators=(",", ":"), default=str)
        rows += [
            WebhookDelivery(
                subscription_id=s.id, event_id=event_id, event_name=name,
                ticket_id=ticket.id, body=body, state="pending", attempts=0,
            )
            for s in listening
        ]  # fmt: skip
    return rows


@orm_event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction's own commit comes later
    for delivery_id in session.info.pop(_TO_ENQUEUE, ()):
        enqueue(delivery_id)


@orm_event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_NOTED, None)
        session.info.pop(_TO_ENQUEUE, None)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None
