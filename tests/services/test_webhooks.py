"""Event webhooks out, end to end: the ticket services change tickets, the transaction commits,
a burst worker sends the signed deliveries to a receiver on 127.0.0.1 that verifies them with
the recipe documented in docs/api.md."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
import time
from pathlib import Path

import pytest

from aduan.extensions import db
from aduan.models import Ticket, Unit
from aduan.services.inbox import bulk
from aduan.services.intake.pipeline import process_event
from aduan.services.outbox import replies
from aduan.services.sla.sweeps import sweep_sla
from aduan.services.tickets import workflow
from aduan.services.webhooks import signing
from aduan.services.webhooks.delivery import BACKOFF_SECONDS
from aduan.services.webhooks.subscriptions import EVENTS
from aduan.vocabulary import TicketStatus as S
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit
from tests.conftest import make_app
from tests.fakes.twilio import fake_twilio as make_fake_twilio
from tests.services import intake_builders, webhook_builders
from tests.services.intake_builders import sms_event
from tests.services.webhook_builders import (
    deliveries,
    run_outbound_jobs,
    subscribe,
    verify_aduan_signature,
)
from tests.web.signing import closed_port
from workers.webhook_jobs import redrive_webhooks

accounts = intake_builders.accounts
receiver = webhook_builders.receiver
worker_app = webhook_builders.worker_app
DOCS = Path(__file__).parents[2] / "docs" / "api.md"


@pytest.fixture
def twilio(accounts):
    with make_fake_twilio() as server:
        accounts["sms"] = accounts["whatsapp"] = {"api_base_url": server.url}
        yield server


def received_types(server) -> list[str]:
    return [r.headers["X-Aduan-Event"] for r in server.received]


def test_every_event_type_reaches_the_receiver_signed(agency, twilio, worker_app, receiver):
    subscription, secret = subscribe(agency, receiver.url())
    receiver.secret = secret
    receiver.start()
    officer = gen_officer(agency, units=[db.session.get(Unit, agency.triage_unit_id)])
    db.session.commit()

    process_event(sms_event("Lampu jalan rosak.", "SM" + "a" * 32).id)  # created
    ticket = db.session.scalar(db.select(Ticket))
    assert bulk.apply(officer, "assign", [ticket.reference], assignee_id=officer.id).applied
    replies.queue_reply(ticket, officer, "Kami sedang menyiasat.")  # replied
    sweep_sla(now=ticket.received_at + dt.timedelta(days=40))  # breached
    for status in (S.IN_PROGRESS, S.RESOLVED, S.CLOSED):
        workflow.change_status(db.session.get(Ticket, ticket.id), status, actor=officer)
        workflow.commit()
    run_outbound_jobs()

    assert set(received_types(receiver)) == set(EVENTS)
    assert all(r.accepted for r in receiver.received)
    assert {d.state for d in deliveries()} == {"delivered"}
    for request in receiver.received:
        body = json.loads(request.body)
        assert body["type"] == request.headers["X-Aduan-Event"]
        assert body["id"] == request.headers["X-Aduan-Event-Id"]
        assert body["ticket"]["reference"] == ticket.reference
        assert body["agency"]["code"] == agency.code
        assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", request.headers["X-Aduan-Signature"])
    by_type = {json.loads(r.body)["type"]: json.loads(r.body) for r in receiver.received}
    assert by_type["ticket.assigned"]["change"]["after"] == {"assignee_id": officer.id}
    assert by_type["ticket.closed"]["ticket"]["status"] == S.CLOSED.value
    assert by_type["ticket.breached"]["change"]["data"]["level"] >= 0
    assert "+60123456789" not in b"".join(r.body for r in receiver.received).decode()


def test_a_receiver_that_is_down_gets_the_event_once_it_is_up(app_ctx, worker_app, receiver):
    agency = gen_agency("JKR")
    subscription, secret = subscribe(agency, receiver.url(), events=["ticket.created"])
    receiver.secret = secret
    ticket = gen_ticket(agency)
    db.session.commit()

    run_outbound_jobs()  # nobody listens on the receiver's port yet
    [row] = deliveries()
    assert (row.state, row.attempts, row.last_status) == ("pending", 1, None)
    assert row.last_error and row.last_attempt_at is not None
    assert row.next_attempt_at > row.last_attempt_at + dt.timedelta(seconds=BACKOFF_SECONDS[0] - 1)
    assert redrive_webhooks() == 0  # its back-off has not passed

    receiver.start()
    row.next_attempt_at = row.next_attempt_at - dt.timedelta(seconds=BACKOFF_SECONDS[0])
    db.session.commit()  # time passes
    assert redrive_webhooks() == 1
    run_outbound_jobs()
    [row] = deliveries()
    assert (row.state, row.attempts, row.last_status, row.last_error) == ("delivered", 2, 200, None)
    [request] = receiver.received
    assert request.accepted and json.loads(request.body)["ticket"]["reference"] == ticket.reference


def test_the_documented_recipe_accepts_a_delivery_and_refuses_tampering_and_old_ones(
    app_ctx, worker_app, receiver
):
    agency = gen_agency("JKR")
    _, secret = subscribe(agency, receiver.url(), events=["ticket.created"])
    receiver.secret = secret
    receiver.start()
    gen_ticket(agency)
    db.session.commit()
    run_outbound_jobs()

    [request] = receiver.received
    header, body = request.headers["X-Aduan-Signature"], request.body
    assert request.accepted and verify_aduan_signature(secret, header, body)
    tampered = body.replace(b'"status":"baharu"', b'"status":"ditutup"')
    assert tampered != body and not verify_aduan_signature(secret, header, tampered)
    assert not verify_aduan_signature("whsec_someone-else", header, body)
    old = int(time.time()) - 3600
    assert not verify_aduan_signature(secret, signing.signature(secret, old, body), body)
    assert not verify_aduan_signature(secret, "garbage", body)


def test_the_docs_carry_this_recipe():
    source = inspect.getsource(verify_aduan_signature)
    assert source in DOCS.read_text("utf-8")


def test_agency_b_never_receives_agency_a_events(app_ctx, worker_app, receiver):
    agency_a, agency_b = gen_agency("JKR"), gen_agency("MBSA")
    sub_a, secret_a = subscribe(agency_a, receiver.url("/a"))
    sub_b, secret_b = subscribe(agency_b, receiver.url("/b"))
    receiver.verify = lambda _s, header, body: any(
        verify_aduan_signature(s, header, body) for s in (secret_a, secret_b)
    )
    receiver.start()
    ticket_a = gen_ticket(agency_a, unit=gen_unit(agency_a))
    db.session.commit()
    workflow.change_status(ticket_a, S.IN_PROGRESS)
    workflow.commit()
    ticket_b = gen_ticket(agency_b, unit=gen_unit(agency_b))
    db.session.commit()
    run_outbound_jobs()

    to_a = [json.loads(r.body) for r in receiver.received if r.path == "/a"]
    to_b = [json.loads(r.body) for r in receiver.received if r.path == "/b"]
    assert {b["ticket"]["reference"] for b in to_a} == {ticket_a.reference}
    assert {b["type"] for b in to_a} == {"ticket.created", "ticket.status_changed"}
    assert {b["ticket"]["reference"] for b in to_b} == {ticket_b.reference}
    assert {b["agency"]["id"] for b in to_b} == {agency_b.id}
    assert all(d.ticket_id == ticket_b.id for d in deliveries(sub_b.id))
    for request in receiver.received:  # each signed with its own subscription's secret
        secret = secret_a if request.path == "/a" else secret_b
        assert verify_aduan_signature(secret, request.headers["X-Aduan-Signature"], request.body)


def test_the_ticket_commits_when_redis_is_down_and_the_redrive_sends_it_later(
    app_ctx, worker_app, receiver, database_url, tmp_path
):
    agency = gen_agency("JKR")
    _, secret = subscribe(agency, receiver.url(), events=["ticket.status_changed"])
    receiver.secret = secret
    ticket_id = gen_ticket(agency).id
    db.session.commit()

    down = make_app(
        database_url, tmp_path, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
        WEBHOOK_TRUSTED_HOSTS=(receiver.host,),
    )  # fmt: skip
    with down.app_context():
        from aduan.extensions import db as down_db

        ticket = down_db.session.get(Ticket, ticket_id)
        workflow.change_status(ticket, S.IN_PROGRESS)
        workflow.commit()  # the enqueue fails after the commit: logged, not raised
        down_db.session.remove()
        down_db.engine.dispose()
    db.session.expire_all()
    assert db.session.get(Ticket, ticket_id).status == S.IN_PROGRESS.value
    [row] = deliveries()
    assert (row.state, row.attempts) == ("pending", 0)

    receiver.start()
    assert redrive_webhooks() == 1
    run_outbound_jobs()
    [request] = receiver.received
    assert request.accepted and request.headers["X-Aduan-Event"] == "ticket.status_changed"
    assert deliveries()[0].state == "delivered"


def test_a_rolled_back_change_sends_nothing(app_ctx, worker_app, receiver):
    agency = gen_agency("JKR")
    subscribe(agency, receiver.url())
    ticket_id = gen_ticket(agency).id
    db.session.commit()
    workflow.change_status(db.session.get(Ticket, ticket_id), S.IN_PROGRESS)
    db.session.rollback()
    db.session.commit()
    assert [d.event_name for d in deliveries()] == ["ticket.created"]
