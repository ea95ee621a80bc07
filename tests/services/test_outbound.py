"""Outbound delivery through the real twilio / python-telegram-bot clients against the local
fake servers, retries, final failure, and delivery statuses that arrive out of order."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from aduan.extensions import db
from aduan.models import ContactIdentity, Message, OutboundMessage, Ticket, TicketEvent
from aduan.models.base import utcnow
from aduan.models.messages import WhatsAppWindow
from aduan.queues import ALL_QUEUES, FIRST, INGEST, OUTBOUND, get_queue
from aduan.services.intake.pipeline import UnknownOutbound, process_event
from aduan.services.outbox import delivery as outbound
from aduan.services.outbox import replies
from aduan.services.outbox.notices import queue_notice
from channels.base import ChannelError
from tests.services import intake_builders
from tests.services.intake_builders import sms_event, telegram_event, twilio_event, whatsapp_event
from workers import outbound_jobs

accounts = intake_builders.accounts

twilio = intake_builders.twilio_server
telegram = intake_builders.telegram_server


def sms_ack() -> OutboundMessage:
    process_event(sms_event("Lampu jalan rosak.", "SM" + "a" * 32).id)
    return db.session.scalar(db.select(OutboundMessage))


def events(kind: str) -> list[TicketEvent]:
    return db.session.scalars(db.select(TicketEvent).where(TicketEvent.kind == kind)).all()


def test_sms_acknowledgement_reaches_twilio(agency, twilio):
    ack = sms_ack()
    body = ack.body
    assert outbound_jobs.send_outbound(ack.id) == "sent"
    received = twilio.last("/Messages.json")
    assert received.form["Body"] == body
    assert (received.form["To"], received.form["From"]) == ("+60123456789", "+60388880000")
    assert received.form["StatusCallback"] == "https://aduan.test/webhooks/twilio/status/default"
    row = db.session.get(OutboundMessage, ack.id)
    assert row.state == "sent" and row.provider_id.startswith("SM") and row.attempts == 1
    assert outbound.deliver(ack.id).state == "sent"  # already sent: not sent again
    assert len(twilio.requests) == 1


def test_telegram_acknowledgement_reaches_the_bot_api(agency, telegram):
    process_event(telegram_event("text_malay").id)
    ack = db.session.scalar(db.select(OutboundMessage))
    outbound.deliver(ack.id)
    received = telegram.last("/sendMessage")
    assert str(received.params["chat_id"]) == ack.to_handle
    assert received.params["text"] == db.session.get(OutboundMessage, ack.id).body
    assert db.session.scalar(db.select(Ticket)).reference in received.params["text"]


def test_whatsapp_template_outside_the_window_reaches_twilio(agency, twilio):
    agency.settings = {**agency.settings, "whatsapp_ack_template": "HX" + "b" * 32}
    db.session.commit()
    process_event(whatsapp_event("Sampah tidak dikutip.", "SM" + "c" * 32).id)
    ticket = db.session.scalar(db.select(Ticket))
    old = utcnow() - dt.timedelta(hours=30)
    db.session.execute(db.update(Message).values(created_at=old))
    db.session.execute(db.update(ContactIdentity).values(last_inbound_at=old))
    db.session.execute(db.update(WhatsAppWindow).values(last_inbound_at=old))
    row = replies.queue_acknowledgement(ticket)
    db.session.commit()
    outbound.deliver(row.id)
    received = twilio.last("/Messages.json")
    assert received.form["ContentSid"] == "HX" + "b" * 32
    assert json.loads(received.form["ContentVariables"])["1"] == ticket.reference
    assert received.form["To"] == "whatsapp:+60123456789" and "Body" not in received.form


def test_retryable_failure_then_success(agency, twilio):
    ack = sms_ack()
    twilio.mode = "500"
    with pytest.raises(ChannelError):
        outbound.deliver(ack.id)
    row = db.session.get(OutboundMessage, ack.id)
    assert (row.state, row.attempts) == ("queued", 1)
    assert row.next_attempt_at > utcnow() and "20500" in row.error
    twilio.mode = "ok"
    assert outbound.deliver(ack.id).state == "sent"
    row = db.session.get(OutboundMessage, ack.id)
    assert (row.state, row.attempts, row.error, row.next_attempt_at) == ("sent", 2, None, None)


def test_non_retryable_failure_is_final_and_recorded(agency, twilio):
    ack = sms_ack()
    twilio.mode = "400"
    row = outbound.deliver(ack.id)
    assert (row.state, row.attempts) == ("failed", 1)
    (event,) = events("delivery_failed")
    assert event.data["code"] == "21211" and event.data["outbound_id"] == ack.id


def test_final_failure_notifies_the_assignee(agency, twilio):
    from aduan.models.routing import Notification
    from tests.builders import gen_officer

    ack = sms_ack()
    officer = gen_officer(agency)
    db.session.scalar(db.select(Ticket)).assignee_id = officer.id
    db.session.commit()
    twilio.mode = "400"
    outbound.deliver(ack.id)
    (note,) = db.session.scalars(db.select(Notification)).all()
    assert (note.officer_id, note.kind) == (officer.id, "delivery_failed")


def test_retryable_failures_end_after_five_attempts(agency, twilio):
    ack = sms_ack()
    twilio.mode = "500"
    for _ in range(outbound.MAX_ATTEMPTS - 1):
        with pytest.raises(ChannelError):
            outbound.deliver(ack.id)
    row = outbound.deliver(ack.id)
    assert (row.state, row.attempts) == ("failed", 5)
    assert len(events("delivery_failed")) == 1
    assert len(twilio.requests) == 5


def status_event(sid: str, status: str, error: str | None = None):
    form = {
        "MessageSid": sid,
        "MessageStatus": status,
        "AccountSid": "AC" + "0" * 32,
        "From": "+60388880000",
        "To": "+60123456789",
        "ApiVersion": "2010-04-01",
    }
    if error:
        form["ErrorCode"] = error
    return twilio_event("sms", form)


def test_statuses_out_of_order_never_regress(agency, twilio):
    ack = sms_ack()
    sid = outbound.deliver(ack.id).provider_id
    for status in ("delivered", "sent", "queued"):
        assert process_event(status_event(sid, status).id) == "processed"
    row = db.session.get(OutboundMessage, ack.id)
    assert row.state == "delivered" and row.delivered_at is not None
    process_event(status_event(sid, "read").id)
    process_event(status_event(sid, "undelivered", "30003").id)
    assert db.session.get(OutboundMessage, ack.id).state == "read"
    assert events("delivery_failed") == []


def test_failed_status_marks_the_row_and_the_timeline(agency, twilio):
    ack = sms_ack()
    sid = outbound.deliver(ack.id).provider_id
    process_event(status_event(sid, "undelivered", "30003").id)
    row = db.session.get(OutboundMessage, ack.id)
    assert (row.state, row.error) == ("failed", "30003")
    (event,) = events("delivery_failed")
    assert event.data["code"] == "30003"


def test_status_before_the_send_is_recorded_is_retried(agency, twilio):
    event = status_event("SM" + "9" * 32, "delivered")
    with pytest.raises(UnknownOutbound):
        process_event(event.id)
    db.session.expire_all()
    assert event.processed_at is None and event.attempts == 1


def test_acknowledgement_is_enqueued_as_send_job(agency, accounts):
    ack = sms_ack()
    assert f"send-{ack.id}" in get_queue(FIRST).job_ids  # a citizen waits on it: first
    assert outbound.enqueue_delivery(ack.id, "acknowledgement")  # a live job: nothing doubled
    assert get_queue(FIRST).job_ids.count(f"send-{ack.id}") == 1
    assert f"send-{ack.id}" not in get_queue(OUTBOUND).job_ids


def test_acknowledgements_and_drains_come_before_notices_under_a_backlog(agency, accounts):
    assert ALL_QUEUES.index(FIRST) < ALL_QUEUES.index(INGEST) < ALL_QUEUES.index(OUTBOUND)
    ack = sms_ack()
    ticket = db.session.get(Ticket, ack.ticket_id)
    notice = queue_notice(ticket, "interim", ms="Satu.", en="One.")
    db.session.commit()
    assert f"send-{notice.id}" in get_queue(OUTBOUND).job_ids
    assert f"send-{notice.id}" not in get_queue(FIRST).job_ids


def test_resend_queued_enqueues_due_rows_only(agency, accounts):
    ack = sms_ack()
    get_queue(FIRST).empty()
    later = db.session.get(OutboundMessage, ack.id)
    later.next_attempt_at = utcnow() + dt.timedelta(minutes=5)
    db.session.commit()
    assert outbound_jobs.resend_queued() == 0
    later = db.session.get(OutboundMessage, ack.id)
    later.next_attempt_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    assert outbound_jobs.resend_queued() == 1
    assert f"send-{ack.id}" in get_queue(FIRST).job_ids  # its purpose's queue again


def test_a_channel_without_an_account_parks_the_message_until_one_is_configured(
    agency, twilio, monkeypatch
):
    from aduan.services.channel_config import lookup as channel_lookup

    ack = sms_ack()
    configured = channel_lookup.adapter_for

    def no_account(channel, account_key="default"):
        raise LookupError(f"no account {channel}/{account_key}")

    monkeypatch.setattr(channel_lookup, "adapter_for", no_account)
    row = outbound.deliver(ack.id)  # no exception: nothing to retry until an admin acts
    assert row.state == "queued" and row.attempts == 0
    assert "waiting for a channel account" in row.error
    assert row.next_attempt_at > utcnow() + dt.timedelta(minutes=50)
    assert not twilio.requests

    monkeypatch.setattr(channel_lookup, "adapter_for", configured)
    row.next_attempt_at = utcnow() - dt.timedelta(seconds=1)  # the hour has passed
    db.session.commit()
    assert outbound.deliver(ack.id).state == "sent"
    assert len(twilio.requests) == 1
