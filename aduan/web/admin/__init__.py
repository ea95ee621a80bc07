"""Admin pages (``/admin``): the admin's own agency's settings, people, rules and intake.

Views are thin: services in ``aduan/services/admin_*.py`` validate, scope and audit.
Every view carries ``@roles_required("admin")``; every query is limited to
``current_user.agency_id`` (another agency's row is 404).
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.context_processor
def admin_context() -> dict:
    """What ``inbox/layout.html`` expects (queue names, unread count) on admin pages too."""
    if not current_user.is_authenticated:
        return {}
    from aduan.services.inbox_queries import QUEUES
    from aduan.services.officer_notifications import unread_count

    return {"queue_names": QUEUES, "unread_notifications": unread_count(current_user)}


def register(app) -> None:
    from aduan.web.admin import canned, catalog, intake, org, rules  # noqa: F401  (routes on ``bp``)

    app.register_blueprint(bp)
