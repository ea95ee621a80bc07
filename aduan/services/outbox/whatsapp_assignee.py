"""What a ticket's assignee is told about a WhatsApp message held outside the 24-hour window:
held with no notice template configured, and held until it expired."""

from __future__ import annotations

from aduan.models import OutboundMessage, Ticket


def tell_held(ticket: Ticket, row: OutboundMessage, days: int) -> None:
    """``row`` is held and no notice template could tell the complainant: the assignee may
    answer on another channel. Each hold is told (a row held again is told again)."""
    if ticket.assignee is None:
        return
    from aduan.services.outbox.officer_notices import notify

    ref = ticket.reference
    notify(
        ticket.assignee,
        "message_held",
        title_ms=f"Mesej ditahan (di luar tempoh 24 jam WhatsApp): {ref}",
        title_en=f"Message held (outside the WhatsApp 24-hour window): {ref}",
        body_ms=(
            "Tiada templat WhatsApp dikonfigurasi. Mesej akan dihantar jika pengadu menulis "
            f"semula dalam {days} hari; selepas itu ia tamat tempoh dan tidak dihantar. "
            "Balas melalui saluran lain jika perlu."
        ),
        body_en=(
            "No WhatsApp template is configured. The message goes out if the complainant "
            f"writes again within {days} days; after that it expires unsent. Reply on another "
            "channel if it cannot wait."
        ),
        ticket=ticket,
        dedupe_key=_held_key(row),
    )


def tell_expired(ticket: Ticket, row: OutboundMessage, days: int) -> None:
    """``row`` expired after ``days`` unanswered: the assignee should use another channel."""
    if ticket.assignee is None:
        return
    from aduan.services.outbox.officer_notices import notify

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


def _held_key(row: OutboundMessage) -> str:
    # One notice per hold: a hold's expiry tells it from the row's earlier holds.
    expires = row.next_attempt_at.isoformat() if row.next_attempt_at else ""
    return f"message_held-{row.id}-{expires}"
