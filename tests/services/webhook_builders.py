"""Builders for the event webhook tests: the documented verification recipe (copied from
docs/api.md), subscriptions made through the admin service, and a burst worker for the jobs."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest
import redis as redis_lib
from rq import Queue
from werkzeug.datastructures import MultiDict

from aduan.extensions import db
from aduan.models import Agency
from aduan.models.webhooks import WebhookDelivery, WebhookSubscription
from aduan.services.admin import webhooks as admin_webhooks
from aduan.services.webhooks.subscriptions import EVENTS
from tests.builders import gen_officer
from tests.conftest import REDIS_URL
from tests.fakes.webhook_receiver import WebhookReceiver
from workers.worker import AppWorker


# --- copied from docs/api.md, "Event webhooks" (test_the_docs_carry_this_recipe checks it) ---
def verify_aduan_signature(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """True when ``body`` was signed by Aduan with ``secret`` less than ``tolerance`` s ago."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    timestamp = fields.get("t", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    signed = timestamp.encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


# --- end of the copy ---


@pytest.fixture
def worker_app(app_ctx, monkeypatch):
    monkeypatch.setattr(AppWorker, "_app", app_ctx)
    yield app_ctx
    AppWorker._app = None


@pytest.fixture
def receiver(app_ctx, monkeypatch):
    """A receiver (not yet listening) whose host the deployment trusts."""
    made = WebhookReceiver(verify=verify_aduan_signature)
    monkeypatch.setitem(app_ctx.config, "WEBHOOK_TRUSTED_HOSTS", (made.host,))
    yield made
    made.stop()


def subscribe(agency: Agency, url: str, events=EVENTS) -> tuple[WebhookSubscription, str]:
    """A subscription made as the agency's admin makes it; committed."""
    admin = gen_officer(agency, roles=("admin",))
    db.session.flush()
    form = MultiDict([("url", url), *(("events", e) for e in events)])
    row, secret = admin_webhooks.create(admin, form)
    db.session.commit()
    return row, secret


def run_outbound_jobs() -> None:
    connection = redis_lib.Redis.from_url(REDIS_URL)
    queue = Queue("test-outbound", connection=connection)
    AppWorker([queue], connection=connection).work(burst=True)
    db.session.expire_all()


def deliveries(subscription_id: int | None = None) -> list[WebhookDelivery]:
    query = db.select(WebhookDelivery).order_by(WebhookDelivery.id)
    if subscription_id is not None:
        query = query.where(WebhookDelivery.subscription_id == subscription_id)
    return list(db.session.scalars(query))
