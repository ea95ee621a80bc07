"""Admin JSON API for intake: quarantined events and channel accounts of the admin's agency."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from aduan.extensions import db
from aduan.models import ChannelAccount
from aduan.services.channel_config.accounts import describe
from aduan.services.intake import quarantine
from aduan.web.auth_session import roles_required

bp = Blueprint("admin_intake", __name__, url_prefix="/api/admin")


@bp.get("/quarantine")
@roles_required("admin")
def quarantined_events():
    return jsonify(items=quarantine.list_quarantined(current_user.agency_id))


@bp.post("/quarantine/<int:event_id>/retry")
@roles_required("admin")
def retry_event(event_id: int):
    return jsonify(quarantine.retry(event_id, current_user.agency_id))


@bp.get("/channel-accounts")
@roles_required("admin")
def channel_accounts():
    rows = db.session.scalars(
        db.select(ChannelAccount)
        .where(ChannelAccount.agency_id == current_user.agency_id)
        .order_by(ChannelAccount.channel, ChannelAccount.account_key)
    ).all()
    return jsonify(items=[describe(row) for row in rows])
