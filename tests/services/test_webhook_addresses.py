"""Where a webhook may go: a name that resolves to a private address is refused at delivery
(the receiver never hears of it), production sends https only, and a receiver that keeps
failing is given up after the last attempt."""

from __future__ import annotations

import socket

import pytest

from aduan.extensions import db
from aduan.services.webhooks import delivery
from aduan.services.webhooks.sending import SendPolicy, WebhookRefused, parse
from tests.builders import gen_agency, gen_ticket
from tests.services import webhook_builders
from tests.services.webhook_builders import deliveries, run_outbound_jobs, subscribe

receiver = webhook_builders.receiver
worker_app = webhook_builders.worker_app


def test_a_name_that_resolves_to_loopback_is_refused_at_delivery(
    app_ctx, worker_app, receiver, monkeypatch
):
    agency = gen_agency("JKR")
    receiver.start()  # listening, and would accept anything
    receiver.verify = lambda *_: True
    _, _secret = subscribe(agency, f"https://hooks.agency.example:{receiver.port}/hook")
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: real(  # a rebinding DNS
        "127.0.0.1" if host == "hooks.agency.example" else host, *a, **k))  # fmt: skip
    gen_ticket(agency)
    db.session.commit()
    run_outbound_jobs()
    [row] = deliveries()
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "address not allowed")
    assert receiver.received == []


def test_production_sends_https_only_even_to_a_trusted_host():
    trusted = frozenset({"10.0.0.5"})
    assert parse("http://10.0.0.5/hook", SendPolicy(trusted=trusted, https_only=False)).trusted
    with pytest.raises(WebhookRefused):
        parse("http://10.0.0.5/hook", SendPolicy(trusted=trusted, https_only=True))
    assert parse("https://10.0.0.5/hook", SendPolicy(trusted=trusted, https_only=True)).trusted
    with pytest.raises(WebhookRefused):
        parse("https://10.0.0.6/hook", SendPolicy(trusted=trusted, https_only=True))


def test_a_receiver_that_keeps_refusing_is_given_up_after_the_last_attempt(
    app_ctx, worker_app, receiver
):
    agency = gen_agency("JKR")
    subscribe(agency, receiver.url(), events=["ticket.created"])
    receiver.start()  # its secret is not ours: every delivery answers 401
    gen_ticket(agency)
    db.session.commit()
    run_outbound_jobs()
    [row] = deliveries()
    assert (row.state, row.last_status, row.last_error) == ("pending", 401, "HTTP 401")
    for _ in range(delivery.MAX_ATTEMPTS - 1):
        row.next_attempt_at = None  # its back-off has passed
        db.session.commit()
        delivery.deliver(row.id)
        db.session.expire_all()
    assert (row.state, row.attempts, row.next_attempt_at) == ("failed", delivery.MAX_ATTEMPTS, None)
    assert len(receiver.received) == delivery.MAX_ATTEMPTS
    assert delivery.redrive_due() == []
