"""Server-side request forgery through channel media (issue #12): a media URL in a signed
provider message must never make the worker fetch from inside the network. Real webhooks,
real ingest, real PostgreSQL and Redis; "inside" is a fake server on loopback that records
whatever reaches it."""

from __future__ import annotations

import json
import socket

import pytest
from flask import Flask, redirect

from aduan.models import Attachment, InboundEvent, Ticket, TicketEvent
from aduan.services.intake import media_fetch
from aduan.services.intake.pipeline import process_event
from tests.builders import gen_agency, gen_unit
from tests.fakes.server import FakeServer
from tests.web.signing import CHANNEL_CONFIG, sms_form, twilio_headers, x_body, x_signature

JPEG = b"\xff\xd8\xff\xe0 internal secret"


def _internal_app() -> Flask:
    app = Flask("internal")

    @app.get("/secret")
    def secret():
        return JPEG, 200, {"Content-Type": "image/jpeg"}

    return app


def _provider_app(location: str) -> Flask:
    app = Flask("provider_cdn")

    @app.get("/media/1")
    def media():
        return redirect(location, code=302)

    @app.get("/media/ok")
    def ok():
        return b"\xff\xd8\xff\xe0 a real photo", 200, {"Content-Type": "image/jpeg"}

    return app


@pytest.fixture
def internal():
    with FakeServer(_internal_app()) as server:
        yield server


@pytest.fixture
def hooks(client, db, monkeypatch):
    for name, value in CHANNEL_CONFIG.items():
        monkeypatch.setitem(client.application.config, name, value)
    monkeypatch.setitem(client.application.config, "MEDIA_FETCH_TRUSTED_HOSTS", ())
    agency = gen_agency("JPS")
    agency.triage_unit_id = gen_unit(agency).id
    db.session.commit()
    return client


def trust(hooks, monkeypatch, server: FakeServer) -> None:
    hosts = (server.url.removeprefix("http://"),)
    monkeypatch.setitem(hooks.application.config, "MEDIA_FETCH_TRUSTED_HOSTS", hosts)


def dm_with_media(url: str) -> bytes:
    data = json.loads(x_body())
    media = {"id_str": "77", "type": "photo", "media_url_https": url}
    data["direct_message_events"][0]["message_create"]["message_data"]["attachment"] = {
        "type": "media",
        "media": media,
    }
    return json.dumps(data).encode()


def send_x_dm(hooks, db, url: str) -> None:
    body = dm_with_media(url)
    headers = {"Content-Type": "application/json"}
    headers["x-twitter-webhooks-signature"] = x_signature(body)
    assert hooks.post("/webhooks/x", data=body, headers=headers).status_code == 200
    ingest_everything(db)


def ingest_everything(db) -> None:
    pending = db.select(InboundEvent.id).where(InboundEvent.processed_at.is_(None))
    for event_id in db.session.scalars(pending).all():
        assert process_event(event_id) == "processed"


def refusals(db) -> list[str]:
    kinds = db.select(TicketEvent).where(TicketEvent.kind == "attachment_refused")
    return [event.data["reason"] for event in db.session.scalars(kinds).all()]


def assert_ticket_without_attachment(db) -> None:
    (ticket,) = db.session.scalars(db.select(Ticket)).all()
    assert "Longkang tersumbat" in ticket.description
    assert db.session.scalars(db.select(Attachment)).all() == []
    assert len(refusals(db)) == 1


@pytest.mark.parametrize(
    "where",
    [
        "http://{internal}/secret",
        "https://{internal}/secret",
        "https://[::1]:{port}/secret",
        "https://10.0.0.1/secret",
        "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "https://attacker.example/cat.jpg",
    ],
)
def test_a_media_url_pointing_inside_is_not_fetched_but_the_dm_becomes_a_ticket(
    hooks, db, internal, where
):
    host_port = internal.url.removeprefix("http://")
    port = host_port.rsplit(":", 1)[1]
    send_x_dm(hooks, db, where.format(internal=host_port, port=port))
    assert internal.requests == []
    assert_ticket_without_attachment(db)


def test_a_provider_host_that_resolves_to_loopback_is_not_fetched(hooks, db, internal, monkeypatch):
    port = int(internal.url.rsplit(":", 1)[1])
    real = socket.getaddrinfo

    def rebound(host, *args, **kwargs):
        if host == "pbs.twimg.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(media_fetch.socket, "getaddrinfo", rebound)
    send_x_dm(hooks, db, f"https://pbs.twimg.com:{port}/secret")
    assert internal.requests == []
    assert_ticket_without_attachment(db)
    assert refusals(db) == ["address not allowed"]


def test_a_redirect_from_an_allowed_host_to_loopback_is_refused(hooks, db, internal, monkeypatch):
    with FakeServer(_provider_app(f"{internal.url}/secret")) as provider:
        trust(hooks, monkeypatch, provider)
        send_x_dm(hooks, db, f"{provider.url}/media/1")
        assert [r.path for r in provider.requests] == ["/media/1"]
    assert internal.requests == []
    assert_ticket_without_attachment(db)


def test_an_mms_with_an_internal_media_url_is_not_fetched(hooks, db, internal):
    form = {**sms_form(), "NumMedia": "1", "MediaContentType0": "image/jpeg"}
    form["MediaUrl0"] = f"{internal.url}/secret"
    path = "/webhooks/twilio/sms"
    assert hooks.post(path, data=form, headers=twilio_headers(path, form)).status_code == 200
    ingest_everything(db)
    assert internal.requests == []
    (ticket,) = db.session.scalars(db.select(Ticket)).all()
    assert ticket.description == "Lampu jalan rosak"
    assert db.session.scalars(db.select(Attachment)).all() == [] and len(refusals(db)) == 1


def test_media_from_a_trusted_provider_is_still_stored(hooks, db, monkeypatch):
    with FakeServer(_provider_app("/unused")) as provider:
        trust(hooks, monkeypatch, provider)
        send_x_dm(hooks, db, f"{provider.url}/media/ok")
    (attachment,) = db.session.scalars(db.select(Attachment)).all()
    assert attachment.content_type == "image/jpeg" and refusals(db) == []


def test_media_larger_than_the_cap_is_refused_as_it_streams(hooks, db, monkeypatch):
    monkeypatch.setitem(hooks.application.config, "ATTACHMENT_MAX_BYTES", 8)
    with FakeServer(_provider_app("/unused")) as provider:
        trust(hooks, monkeypatch, provider)
        send_x_dm(hooks, db, f"{provider.url}/media/ok")
    assert db.session.scalars(db.select(Attachment)).all() == []
    assert refusals(db) == ["larger than 8 bytes"]
