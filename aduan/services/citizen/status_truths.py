"""What the status page tells the complainant beyond labels: the reason the officer gave with a
status (the extension's reason, the resolution summary, what is needed from them), their own
attachments and the ones refused (with why), and the deadline line that fits the state the
ticket is in (expected by…, paused, resolved on…, closed on…, handled under another reference).
"""

from __future__ import annotations

from typing import Any

from aduan.extensions import db
from aduan.models import Attachment, Message, Ticket, TicketEvent
from aduan.vocabulary import TicketStatus as S

# Statuses whose reason the complainant reads (others' reasons are internal).
PUBLIC_REASONS = frozenset(
    {
        S.WAITING_COMPLAINANT.value,
        S.EXTENDED.value,
        S.RESOLVED.value,
        S.OUT_OF_JURISDICTION.value,
        S.NO_FURTHER_ACTION.value,
        S.CLOSED.value,
        S.REOPENED.value,
    }
)


def status_reason(after: dict | None, data: dict | None) -> str | None:
    """The reason shown beside a status change, when that status's reason is public."""
    reason = (data or {}).get("reason") or None
    if (after or {}).get("status") not in PUBLIC_REASONS or reason is None:
        return None
    return None if reason.startswith("merged into ") else reason  # the deadline line says it


def attachment_items(ticket: Ticket, message_ids: list[int]) -> list[dict[str, Any]]:
    """The complainant's own attachments (on their messages ``message_ids``) and the refused
    ones with the reason, as timeline items."""
    items: list[dict[str, Any]] = [
        {"kind": "attachment", "text": a.filename, "at": a.created_at}
        for a in db.session.scalars(
            db.select(Attachment)
            .join(Message, Message.id == Attachment.message_id)
            .where(Attachment.message_id.in_(message_ids or [0]), Message.direction == "in")
            .order_by(Attachment.id)
        )
    ]
    for event in db.session.scalars(
        db.select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "attachment_refused")
        .order_by(TicketEvent.id)
    ):
        data = event.data or {}
        if data.get("message_id") in message_ids:
            items.append(
                {
                    "kind": "attachment_refused",
                    "text": data.get("filename") or "",
                    "reason": data.get("reason") or "",
                    "at": event.created_at,
                }
            )
    return items


def merged_reference(ticket: Ticket) -> str | None:
    """The reference of the ticket ``ticket`` was merged into — only when it is the same
    complainant's: another person's reference is never handed out (``merged_replies``)."""
    target = db.session.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id else None
    if target is None or ticket.complainant_id is None:
        return None
    return target.reference if target.complainant_id == ticket.complainant_id else None


def deadline(ticket: Ticket) -> dict[str, Any]:
    """Which deadline line fits the ticket now: ``kind`` (``expected``, ``paused``,
    ``resolved``, ``closed``, ``merged``) and the date or reference it names."""
    if ticket.merged_into_id is not None:
        return {"kind": "merged", "reference": merged_reference(ticket)}
    status = S(ticket.status)
    if status is S.CLOSED:
        return {"kind": "closed", "at": ticket.closed_at}
    if ticket.resolved_at is not None and status is not S.REOPENED:
        return {"kind": "resolved", "at": ticket.resolved_at}
    if status is S.WAITING_COMPLAINANT:
        return {"kind": "paused", "at": None}
    return {"kind": "expected", "at": ticket.resolve_due_at}
