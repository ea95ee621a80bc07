"""Admin pages (``/admin``): the admin's own agency's settings, people, rules and intake.

Views are thin: services in ``aduan/services/admin/`` validate, scope and audit.
Every view carries ``@roles_required("admin")``; every query is limited to
``current_user.agency_id`` (another agency's row is 404). The one exception is the national
calendar (``holidays``): every admin reads it, only a platform administrator changes it.
"""

from __future__ import annotations

from aduan.web.admin.blueprint import bp


def register(app) -> None:
    """The admin pages on ``bp``, and the JSON endpoints' own blueprints under ``/api/admin``."""
    from aduan.web.admin import (  # noqa: F401
        audit,
        canned,
        catalog,
        holidays,
        intake,
        intake_api,
        logo,
        org,
        routing_api,
        rules,
        tokens,
        webhooks,
        words,
    )

    app.register_blueprint(bp)
    app.register_blueprint(intake_api.bp)
    app.register_blueprint(routing_api.bp)
