"""Admin JSON API for intake: quarantined events and channel accounts of the admin's agency.

Every write goes through the same service function as the admin page (``services.admin``), so
both validate alike (422 with per-field ``errors``) and both leave the same audit row. CSRF: the
form token is required here too, sent as the ``X-CSRFToken`` header.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from aduan.extensions import db
from aduan.models import ChannelAccount
from aduan.services.admin import channels as admin_channels
from aduan.services.admin import quarantine as admin_quarantine
from aduan.services.admin.common import own
from aduan.services.channel_config.accounts import describe
from aduan.services.intake import quarantine
from aduan.web.admin.forms import json_object
from aduan.web.admin.org import _me
from aduan.web.auth_session import roles_required

bp = Blueprint("admin_intake", __name__, url_prefix="/api/admin")


@bp.get("/quarantine")
@roles_required("admin")
def quarantined_events():
    return jsonify(items=quarantine.list_quarantined(current_user.agency_id))


@bp.post("/quarantine/<int:event_id>/retry")
@roles_required("admin")
def retry_event(event_id: int):
    return jsonify(admin_quarantine.retry(_me(), event_id))


@bp.get("/channel-accounts")
@roles_required("admin")
def channel_accounts():
    rows = db.session.scalars(
        db.select(ChannelAccount)
        .where(ChannelAccount.agency_id == current_user.agency_id)
        .order_by(ChannelAccount.channel, ChannelAccount.account_key)
    ).all()
    return jsonify(items=[describe(row) for row in rows])


@bp.post("/channel-accounts")
@roles_required("admin")
def create_channel_account():
    body = json_object()
    row = admin_channels.write(_me(), str(body.get("channel") or ""), body)
    db.session.commit()
    return jsonify(describe(row)), 201


@bp.get("/channel-accounts/<int:account_id>")
@roles_required("admin")
def channel_account(account_id: int):
    return jsonify(describe(own(ChannelAccount, account_id, current_user.agency_id)))


@bp.put("/channel-accounts/<int:account_id>")
@roles_required("admin")
def update_channel_account(account_id: int):
    row = own(ChannelAccount, account_id, current_user.agency_id)  # another agency's: 404
    row = admin_channels.write(_me(), row.channel, json_object(), row)
    db.session.commit()
    return jsonify(describe(row))
