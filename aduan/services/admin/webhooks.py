"""Event webhooks of the admin's agency: subscribe a URL to ticket events, disable, enable,
delete — each audited (never the secret) — and what the page shows of their deliveries."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from aduan.extensions import db
from aduan.models import Officer
from aduan.models.webhooks import WebhookDelivery, WebhookSubscription
from aduan.services.admin import common as f
from aduan.services.tenancy import scoped
from aduan.services.webhooks.subscriptions import EVENTS, new_secret, seal, url_problem

FIELDS = ("url", "description", "events", "active")
URL_REFUSED = _l("Enter an https URL of a public address.")
NO_EVENTS = _l("Choose at least one event.")
RECENT_DELIVERIES = 50


def list_for(agency_id: int) -> list[WebhookSubscription]:
    query = scoped(db.select(WebhookSubscription), WebhookSubscription, agency_id)
    return list(db.session.scalars(query.order_by(WebhookSubscription.id)))


def recent_deliveries(agency_id: int, limit: int = RECENT_DELIVERIES) -> list[WebhookDelivery]:
    """The agency's latest deliveries, newest first, with where their attempts stand."""
    query = scoped(db.select(WebhookDelivery), WebhookDelivery, agency_id)
    query = query.order_by(WebhookDelivery.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def create(actor: Officer, form: Mapping) -> tuple[WebhookSubscription, str]:
    """Subscribe a URL; returns the row and its secret (shown once, stored encrypted).
    Audited without the secret; the caller commits."""
    errors: f.Errors = {}
    url = f.text(form, "url", errors, max_len=500)
    if url and url_problem(url):
        f.add(errors, "url", URL_REFUSED)
    description = f.text(form, "description", errors, max_len=200, required=False)
    events = f.choices(form, "events", errors, EVENTS)
    if not events and "events" not in errors:
        f.add(errors, "events", NO_EVENTS)
    f.fail_if(errors)
    secret = new_secret()
    row = WebhookSubscription(
        agency_id=actor.agency_id, url=url, description=description, events=events,
        secret=seal(secret), active=True, created_by_id=actor.id,
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    f.audit(actor, "webhook", row.id, "create", None, f.snapshot(row, FIELDS))
    return row, secret


def set_active(actor: Officer, row: WebhookSubscription, active: bool) -> None:
    """Disable (deliveries wait, none are made) or enable again; audited."""
    if row.active == active:
        return
    before = f.snapshot(row, FIELDS)
    row.active = active
    f.audit(actor, "webhook", row.id, "enable" if active else "disable", before,
            f.snapshot(row, FIELDS))  # fmt: skip


def delete(actor: Officer, row: WebhookSubscription) -> None:
    """Delete the subscription and its delivery history; audited."""
    f.audit(actor, "webhook", row.id, "delete", f.snapshot(row, FIELDS), None)
    db.session.execute(db.delete(WebhookDelivery).where(WebhookDelivery.subscription_id == row.id))
    db.session.delete(row)
