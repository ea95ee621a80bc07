"""The inbox blueprint object, its sign-in guard and what its templates expect."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

bp = Blueprint("inbox", __name__)


def officer_required(view):
    """Signed-in officers only; anyone else is sent to the sign-in page (HTML) or gets 401."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            if request.accept_mimetypes.best == "application/json":
                return {"code": "unauthorized", "message": "sign in first"}, 401
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


@bp.context_processor
def inbox_context() -> dict:
    """The unread-notification count and queue names for the inbox shell."""
    if not current_user.is_authenticated:
        return {}
    from aduan.extensions import db
    from aduan.models.routing import Notification
    from aduan.services.inbox.queries import QUEUES

    unread = db.session.scalar(
        db.select(db.func.count(Notification.id)).where(
            Notification.officer_id == current_user.id, Notification.read_at.is_(None)
        )
    )
    return {
        "unread_notifications": unread or 0,
        "queue_names": QUEUES,
        "label": vocabulary_label,
        "my_month": _my_month,
    }


def _my_month():
    """The signed-in officer's own figures this month (read only where a page shows them)."""
    from aduan.services.reports.figures import officer_month
    from aduan.services.sla.clock import local_today

    return officer_month(current_user, local_today())


def vocabulary_label(kind: str, value: str | None) -> str:
    """The BM or EN label of a status, type, channel, complexity or outbound state value."""
    from flask_babel import get_locale

    from aduan import vocabulary

    enum = {
        "status": vocabulary.TicketStatus,
        "type": vocabulary.TicketType,
        "channel": vocabulary.channel_term,
        "complexity": vocabulary.Complexity,
        "delivery": vocabulary.OutboundState,
        "direction": vocabulary.Direction,
        "priority": vocabulary.PriorityGroup,
    }[kind]
    try:
        return enum(value).label(str(get_locale() or "ms"))
    except ValueError:
        return value or ""


@bp.app_template_filter("inbox_time")
def inbox_time(moment) -> str:
    """A moment in local time, in the interface language."""
    from flask_babel import get_locale

    from aduan.services.outbox.replies import format_local

    return format_local(moment, str(get_locale() or "ms"))
