"""Admin event webhooks: a URL subscribed on the page (its secret shown once, stored
encrypted), disabled, enabled and deleted — each audited without the secret — deliveries
shown with their last answer, and another agency's subscriptions out of reach."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from aduan.extensions import db
from aduan.models.admin import AdminAuditLog
from aduan.models.webhooks import WebhookDelivery, WebhookSubscription
from aduan.services.admin import webhooks as admin_webhooks
from aduan.services.tickets import workflow
from aduan.services.webhooks import delivery
from aduan.services.webhooks.subscriptions import unseal
from aduan.vocabulary import TicketStatus as S
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit
from tests.web.admin.helpers import post, setup

PAGE = "/admin/webhooks"
URL = "https://hooks.agency.example/aduan"


def _create(client, url=URL, events=("ticket.created", "ticket.closed")):
    return post(client, PAGE, {"url": url, "description": "Sistem dalaman", "events": list(events)})


def _audits() -> list[AdminAuditLog]:
    query = db.select(AdminAuditLog).where(AdminAuditLog.entity == "webhook")
    return list(db.session.scalars(query.order_by(AdminAuditLog.id)))


def test_a_subscription_shows_its_secret_once_and_keeps_it_encrypted(client):
    s = setup(client)
    response = _create(client)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    [secret] = re.findall(r'<code id="webhook-secret">(whsec_[A-Za-z0-9_-]+)</code>', page)
    row = db.session.scalar(db.select(WebhookSubscription))
    assert (row.agency_id, row.url, row.events) == (
        s.agency.id,
        URL,
        ["ticket.created", "ticket.closed"],
    )
    assert secret not in row.secret and unseal(row.secret) == secret
    assert secret not in client.get(PAGE).get_data(as_text=True)  # once
    [audit] = _audits()
    assert (audit.action, audit.actor_id, audit.after["url"]) == ("create", s.admin.id, URL)
    assert secret not in str(audit.after) and "secret" not in audit.after


def test_urls_that_are_not_https_or_point_inside_are_refused(client, monkeypatch):
    setup(client)
    for url in ("http://hooks.agency.example/x", "https://127.0.0.1/x", "https://10.1.2.3/x",
                "https://localhost/x", "https://[::1]/x", "https://user:pw@hooks.agency.example/",
                "ftp://hooks.agency.example/", "not a url"):  # fmt: skip
        response = _create(client, url=url)
        assert response.status_code == 422, url
        assert "Masukkan URL https bagi alamat awam." in response.get_data(as_text=True)
    assert _create(client, events=()).status_code == 422
    assert db.session.scalars(db.select(WebhookSubscription)).all() == []
    assert _audits() == []


def test_disable_enable_and_delete_are_audited_and_a_disabled_one_gets_nothing(client):
    s = setup(client)
    _create(client)
    row = db.session.scalar(db.select(WebhookSubscription))
    assert post(client, f"{PAGE}/{row.id}/disable", {}, form_page=PAGE).status_code == 303
    db.session.expire_all()
    assert row.active is False
    gen_ticket(s.agency, s.unit)
    db.session.commit()
    assert db.session.scalars(db.select(WebhookDelivery)).all() == []  # disabled: nothing made

    assert post(client, f"{PAGE}/{row.id}/enable", {}, form_page=PAGE).status_code == 303
    db.session.expire_all()
    assert row.active is True
    assert post(client, f"{PAGE}/{row.id}/delete", {}, form_page=PAGE).status_code == 303
    assert db.session.get(WebhookSubscription, row.id) is None
    assert [a.action for a in _audits()] == ["create", "disable", "enable", "delete"]


def test_the_page_shows_each_delivery_with_its_last_answer(client):
    s = setup(client)
    _create(client)
    gen_ticket(s.agency, s.unit)
    db.session.commit()
    [row] = db.session.scalars(db.select(WebhookDelivery)).all()
    delivery.deliver(row.id)  # hooks.agency.example does not resolve here: refused, kept
    db.session.expire_all()
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "host does not resolve")
    page = client.get(PAGE).get_data(as_text=True)
    assert "host does not resolve" in page and row.event_id in page
    assert "Menunggu untuk dihantar" in page  # the state, in the page's language


def test_another_agencys_subscriptions_are_out_of_reach(client):
    setup(client)
    other = gen_agency(state="01")
    other_admin = gen_officer(other, units=[gen_unit(other)], roles=("admin",))
    db.session.flush()
    form = MultiDict([("url", "https://other.example/secret-hook"), ("events", "ticket.created")])
    theirs, _ = admin_webhooks.create(other_admin, form)
    db.session.commit()
    assert "other.example" not in client.get(PAGE).get_data(as_text=True)
    for action in ("disable", "enable", "delete"):
        assert post(client, f"{PAGE}/{theirs.id}/{action}", {}, form_page=PAGE).status_code == 404
    db.session.expire_all()
    assert db.session.get(WebhookSubscription, theirs.id).active is True
    # their ticket makes their delivery only; nothing of it shows on our page
    ticket = gen_ticket(other)
    db.session.commit()
    workflow.change_status(ticket, S.IN_PROGRESS)
    workflow.commit()
    assert {d.subscription_id for d in db.session.scalars(db.select(WebhookDelivery))} == {
        theirs.id
    }
    assert ticket.reference not in client.get(PAGE).get_data(as_text=True)


def test_officers_are_forbidden(client):
    setup(client, roles=("officer",))
    assert client.get(PAGE).status_code == 403
