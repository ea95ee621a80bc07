"""``/api/v1``: the REST API for officers (their browser session), integrations (agency API
tokens) and citizens (a token with the ``citizen`` scope, for an agency's own app or portal).

Views are thin: they load JSON with the schemas in ``aduan/schemas/``, call the services the
pages call, and dump with the caller's audience view. Errors are RFC 9457 problem details.
"""

from __future__ import annotations

from aduan.web.api.blueprint import bp


def register(app) -> None:
    from aduan.web.api import (  # noqa: F401
        catalog,
        citizen,
        citizen_actions,
        open311,
        openapi,
        ticket_actions,
        tickets,
    )

    app.register_blueprint(bp)
    app.register_blueprint(open311.bp)
