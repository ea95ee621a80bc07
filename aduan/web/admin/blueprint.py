"""The admin blueprint object and what every admin page's template expects."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.context_processor
def admin_context() -> dict:
    """What ``inbox/layout.html`` expects (queue names, unread count) on admin pages too."""
    if not current_user.is_authenticated:
        return {}
    from aduan.services.inbox.notifications import unread_count
    from aduan.services.inbox.queries import QUEUES

    return {"queue_names": QUEUES, "unread_notifications": unread_count(current_user)}
