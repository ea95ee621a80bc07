"""Admin page for event webhooks: subscribe a URL (its secret shown once), disable, enable,
delete, and the latest deliveries with their last answer."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models.webhooks import WebhookSubscription
from aduan.services.admin import webhooks as admin_webhooks
from aduan.services.admin.common import own
from aduan.web.admin.blueprint import bp
from aduan.web.admin.forms import Field
from aduan.web.admin.org import _me
from aduan.web.auth_session import roles_required

TEMPLATE = "admin/webhooks.html"


def _event_labels() -> dict[str, str]:
    return {
        "ticket.created": _("Ticket created"),
        "ticket.status_changed": _("Status changed"),
        "ticket.assigned": _("Ticket assigned"),
        "ticket.replied": _("Reply sent to the complainant"),
        "ticket.breached": _("Deadline missed"),
        "ticket.resolved": _("Ticket resolved"),
        "ticket.closed": _("Ticket closed"),
    }


def _state_labels() -> dict[str, str]:
    return {
        "pending": _("Waiting to be sent"),
        "delivered": _("Delivered"),
        "failed": _("Failed"),
    }


def _fields() -> list[Field]:
    return [
        Field("url", _("URL"), required=True,
              hint=_("An https address on the internet; every event is signed with the secret.")),
        Field("description", _("Description")),
        Field("events", _("Events"), "multi", list(_event_labels().items()), required=True),
    ]  # fmt: skip


def _page(values, errors, status=200, new_secret=None, created=None):
    agency_id = current_user.agency_id
    page = render_template(
        TEMPLATE, rows=admin_webhooks.list_for(agency_id), fields=_fields(), values=values,
        errors=errors, labels=_event_labels(), states=_state_labels(), new_secret=new_secret,
        created=created, deliveries=admin_webhooks.recent_deliveries(agency_id),
    )  # fmt: skip
    return page, status


@bp.route("/webhooks", methods=["GET", "POST"])
@roles_required("admin")
def webhooks():
    if request.method == "GET":
        return _page(MultiDict(), {})
    try:
        row, secret = admin_webhooks.create(_me(), request.form)
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        flash(_("Please correct the errors below."), "error")
        return _page(request.form, exc.errors, 422)
    # Rendered, not redirected: the secret is shown on this answer only, never stored in clear.
    return _page(MultiDict(), {}, new_secret=secret, created=row)


@bp.post("/webhooks/<int:subscription_id>/disable")
@roles_required("admin")
def webhook_disable(subscription_id: int):
    return _set_active(subscription_id, False, _("Webhook disabled."))


@bp.post("/webhooks/<int:subscription_id>/enable")
@roles_required("admin")
def webhook_enable(subscription_id: int):
    return _set_active(subscription_id, True, _("Webhook enabled."))


@bp.post("/webhooks/<int:subscription_id>/delete")
@roles_required("admin")
def webhook_delete(subscription_id: int):
    admin_webhooks.delete(_me(), own(WebhookSubscription, subscription_id, current_user.agency_id))
    db.session.commit()
    flash(_("Deleted."), "success")
    return redirect(url_for("admin.webhooks"), code=303)


def _set_active(subscription_id: int, active: bool, message: str):
    row = own(WebhookSubscription, subscription_id, current_user.agency_id)
    admin_webhooks.set_active(_me(), row, active)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.webhooks"), code=303)
