"""Admin pages for channel accounts and quarantined inbound events."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from aduan.models import ChannelAccount
from aduan.services.admin import channels as admin_channels
from aduan.services.admin import quarantine as admin_quarantine
from aduan.services.admin.common import own
from aduan.services.channel_config import connection
from aduan.services.intake import quarantine
from aduan.web.admin import words
from aduan.web.admin.blueprint import bp
from aduan.web.admin.forms import Field, handle
from aduan.web.admin.org import FORM, _me
from aduan.web.auth_session import roles_required


@bp.get("/channels")
@roles_required("admin")
def channels():
    accounts = admin_channels.list_for(current_user.agency_id)
    return render_template(
        "admin/channels.html",
        accounts=accounts,
        channels=admin_channels.channels(),
        environment_mailbox=admin_channels.environment_mailbox(current_user.agency_id),
    )


def _channel_fields(channel: str, row: ChannelAccount | None) -> list[Field]:
    fields = [] if row is not None else [Field("account_key", _("Account key"), required=True)]
    masks = admin_channels.masked_secrets(row)
    for key in admin_channels.setting_keys(channel, row):
        label, hint = words.setting_label(key, channel), words.setting_hint(key, channel)
        if admin_channels.is_secret(key):
            stored = (
                _("Stored: %(mask)s. Leave blank to keep it.", mask=masks[key])
                if key in masks
                else ""
            )
            fields.append(
                Field(f"s_{key}", label, "secret", hint=" ".join(filter(None, [hint, stored])))
            )
        else:
            fields.append(Field(f"s_{key}", label, hint=hint))
    fields.append(Field("active", _("Active"), "checkbox"))
    return fields


@bp.route("/channels/new/<channel>", methods=["GET", "POST"])
@roles_required("admin")
def channel_new(channel: str):
    if channel not in admin_channels.channels():
        abort(404)
    return handle(
        FORM, lambda form: admin_channels.save(_me(), form, channel), url_for("admin.channels"),
        admin_channels.values(None), fields=_channel_fields(channel, None),
        title=_("New %(channel)s account", channel=words.channel_label(channel)),
    )  # fmt: skip


@bp.post("/channels/<int:account_id>/test")
@roles_required("admin")
def channel_test(account_id: int):
    """Try the account's credentials with its provider now; say what answered or why not."""
    row = own(ChannelAccount, account_id, current_user.agency_id)
    result = connection.test_connection(row)
    if result.ok is None:
        flash(_("This channel has no connection test."), "error")
    elif result.ok:
        flash(_("Connection works: %(detail)s", detail=result.detail), "success")
    else:
        flash(_("Connection failed: %(reason)s", reason=result.detail), "error")
    return redirect(url_for("admin.channel_edit", account_id=row.id), code=303)


@bp.route("/channels/<int:account_id>", methods=["GET", "POST"])
@roles_required("admin")
def channel_edit(account_id: int):
    row = own(ChannelAccount, account_id, current_user.agency_id)
    return handle(
        FORM, lambda form: admin_channels.save(_me(), form, row.channel, row),
        url_for("admin.channels"), admin_channels.values(row),
        fields=_channel_fields(row.channel, row),
        title=_("%(channel)s account %(key)s", channel=words.channel_label(row.channel),
                key=row.account_key),
        account=admin_channels.describe(row),
    )  # fmt: skip


@bp.get("/quarantine")
@roles_required("admin")
def quarantined():
    events = quarantine.list_quarantined(current_user.agency_id)
    return render_template("admin/quarantine.html", events=events)


@bp.post("/quarantine/<int:event_id>/retry")
@roles_required("admin")
def quarantine_retry(event_id: int):
    result = admin_quarantine.retry(_me(), event_id)
    if result["enqueued"]:
        flash(_("The event was released and queued again."), "success")
    else:
        flash(_("The event was released; it will be queued when Redis is back."), "error")
    return redirect(url_for("admin.quarantined"), code=303)
