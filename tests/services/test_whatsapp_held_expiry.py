"""A WhatsApp message held outside the 24-hour window does not wait for ever: after the agency's
expiry it is marked expired, the timeline says it never reached WhatsApp, the assignee is told,
and its text stays readable for the officer and on the status page."""

from __future__ import annotations

import datetime as dt

from aduan.extensions import db
from aduan.models import OutboundMessage, TicketEvent
from aduan.models.base import utcnow
from aduan.models.routing import Notification
from aduan.services.citizen import status as status_lookup
from aduan.services.intake.pipeline import process_event
from aduan.services.outbox import delivery as outbound
from aduan.services.outbox import replies, whatsapp_window
from aduan.web.inbox.timeline import timeline
from tests.builders import gen_officer
from tests.services import test_whatsapp_window as window
from tests.services.intake_builders import whatsapp_event
from tests.services.test_whatsapp_window import close_the_window, whatsapp_ticket
from workers import outbound_jobs
from workers.schedule import load_periodic

accounts, agency, twilio = window.accounts, window.agency, window.twilio
TEXT = "Pasukan kami akan datang esok pagi."


def held_reply(agency, days: int | None = None):
    if days is not None:
        agency.settings = {**agency.settings, "whatsapp_held_expiry_days": days}
        db.session.commit()
    ticket = whatsapp_ticket()
    officer = gen_officer(agency)
    ticket.assignee_id = officer.id
    db.session.commit()
    close_the_window()
    reply = replies.queue_reply(ticket, officer, TEXT)
    assert outbound.deliver(reply.id).state == "held"
    return ticket, officer, reply


def events(kind: str) -> list[TicketEvent]:
    return db.session.scalars(db.select(TicketEvent).where(TicketEvent.kind == kind)).all()


def test_a_held_reply_expires_after_the_agency_setting_and_the_assignee_is_told(agency, twilio):
    ticket, officer, reply = held_reply(agency, days=2)
    (held,) = events("held_outside_window")
    expires = dt.datetime.fromisoformat(held.data["expires_at"])
    assert dt.timedelta(days=2) - (expires - utcnow()) < dt.timedelta(minutes=1)

    assert whatsapp_window.expire_held(utcnow() + dt.timedelta(days=1)) == 0  # not yet
    assert db.session.get(OutboundMessage, reply.id).state == "held"

    assert whatsapp_window.expire_held(utcnow() + dt.timedelta(days=2, minutes=1)) == 1
    row = db.session.get(OutboundMessage, reply.id)
    assert row.state == "expired" and row.next_attempt_at is None
    (expired,) = events("held_expired")
    assert expired.data == {"outbound_id": reply.id, "channel": "whatsapp", "days": 2}
    (note,) = db.session.scalars(
        db.select(Notification).where(Notification.kind == "message_held_expired")
    ).all()
    assert note.officer_id == officer.id and ticket.reference in note.title_en

    # Idempotent: the next run (or a concurrent one) finds nothing to do.
    assert whatsapp_window.expire_held(utcnow() + dt.timedelta(days=30)) == 0
    assert len(events("held_expired")) == 1

    # The text stays readable: on the officer's timeline and the complainant's status page.
    items = timeline(ticket)
    (out,) = [i for i in items if i.kind == "out" and i.message.body == TEXT]
    assert out.outbound.state == "expired"
    assert any(i.label.startswith("Held message expired") for i in items)
    public = status_lookup.public_timeline(ticket)
    assert TEXT in [i["text"] for i in public if i["kind"] == "out"]


def test_an_expired_reply_is_not_sent_when_the_complainant_writes_later(agency, twilio):
    ticket, _, reply = held_reply(agency)
    assert whatsapp_window.expire_held(utcnow() + dt.timedelta(days=3, minutes=1)) == 1
    process_event(whatsapp_event("Helo, ada berita?", "SM" + "e" * 32).id)
    assert db.session.get(OutboundMessage, reply.id).state == "expired"
    assert outbound.deliver(reply.id).state == "expired"  # a stray job sends nothing
    assert all(r.form.get("Body") != TEXT for r in twilio.requests)
    assert events("held_released") == []


def test_a_reply_released_in_time_never_expires(agency, twilio):
    _, _, reply = held_reply(agency)
    process_event(whatsapp_event("Baik, terima kasih.", "SM" + "f" * 32).id)
    assert outbound.deliver(reply.id).state == "sent"
    assert whatsapp_window.expire_held(utcnow() + dt.timedelta(days=30)) == 0
    assert events("held_expired") == []


def test_rows_held_before_expiries_were_recorded_count_from_when_they_were_queued(agency, twilio):
    _, _, reply = held_reply(agency)
    row = db.session.get(OutboundMessage, reply.id)
    row.next_attempt_at = None  # as the code before expiries left it
    row.created_at = utcnow() - dt.timedelta(days=4)
    db.session.commit()
    assert whatsapp_window.expire_held() == 1
    assert db.session.get(OutboundMessage, reply.id).state == "expired"


def test_the_expiry_runs_as_a_periodic_job(agency, twilio):
    entry = next(p for p in load_periodic() if p.name == "expire-held-whatsapp")
    assert entry.func == "workers.outbound_jobs:expire_held"
    _, _, reply = held_reply(agency)
    db.session.execute(
        db.update(OutboundMessage)
        .where(OutboundMessage.id == reply.id)
        .values(next_attempt_at=utcnow() - dt.timedelta(minutes=1))
    )
    db.session.commit()
    assert outbound_jobs.expire_held() == 1


def notes(kind: str) -> list[Notification]:
    return db.session.scalars(
        db.select(Notification).where(Notification.kind == kind).order_by(Notification.id)
    ).all()


def test_rows_held_before_expiries_were_recorded_wait_their_agencys_days(agency, twilio):
    _, _, reply = held_reply(agency, days=7)
    row = db.session.get(OutboundMessage, reply.id)
    row.next_attempt_at = None  # as the code before expiries left it
    row.created_at = utcnow() - dt.timedelta(days=4)
    db.session.commit()
    assert whatsapp_window.expire_held() == 0  # 4 days of the agency's 7: still waiting
    assert db.session.get(OutboundMessage, reply.id).state == "held"
    assert whatsapp_window.expire_held(utcnow() + dt.timedelta(days=3, minutes=1)) == 1
    (expired,) = events("held_expired")
    assert expired.data["days"] == 7
    assert "dalam 7 hari" in notes("message_held_expired")[0].body


def test_the_expiry_notice_gives_the_days_the_hold_was_given(agency, twilio):
    _, _, reply = held_reply(agency, days=2)
    agency.settings = {**agency.settings, "whatsapp_held_expiry_days": 10}  # changed since
    db.session.commit()
    assert whatsapp_window.expire_held(utcnow() + dt.timedelta(days=2, minutes=1)) == 1
    (expired,) = events("held_expired")
    assert expired.data["days"] == 2
    assert "dalam 2 hari" in notes("message_held_expired")[0].body


def test_a_reply_past_its_expiry_is_not_sent_before_the_sweep_marks_it(agency, twilio):
    _, _, reply = held_reply(agency)
    db.session.execute(
        db.update(OutboundMessage)
        .where(OutboundMessage.id == reply.id)
        .values(next_attempt_at=utcnow() - dt.timedelta(minutes=1))
    )
    db.session.commit()
    process_event(whatsapp_event("Helo, ada berita?", "SM" + "7" * 32).id)
    assert db.session.get(OutboundMessage, reply.id).state == "held"
    assert events("held_released") == []
    assert all(r.form.get("Body") != TEXT for r in twilio.requests)
    assert whatsapp_window.expire_held() == 1


def test_without_a_template_each_hold_is_told_with_its_expiry(agency, twilio):
    agency.settings = {k: v for k, v in agency.settings.items() if "notice" not in k}
    _, _, reply = held_reply(agency, days=2)
    (first,) = notes("message_held")
    assert "dalam 2 hari" in first.body and "tamat tempoh" in first.body

    # The complainant writes, the reply is released, and WhatsApp refuses it all the same.
    process_event(whatsapp_event("Helo?", "SM" + "8" * 32).id)
    twilio.mode = "window_closed"
    assert outbound.deliver(reply.id).state == "held"
    # Held again: told again, folded into the notice still unread (issue #17: one held
    # message was three notices), which counts the repeat.
    (again,) = notes("message_held")
    assert again.id == first.id and again.repeats == 2 and again.read_at is None
