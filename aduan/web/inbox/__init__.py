"""The officer web inbox: queues, search and the ticket page (sign-in lives in ``auth``)."""

from __future__ import annotations

from aduan.web.inbox.blueprint import bp


def register(app) -> None:
    """Attach every inbox view to the blueprint and register it with the sign-in blueprint."""
    from aduan.web.inbox import account, actions, auth, queues, ticket  # noqa: F401

    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)  # /account: password, two-factor, devices
    app.register_blueprint(bp)
    app.register_blueprint(actions.bp)  # /inbox bulk actions, counter entry, notifications
