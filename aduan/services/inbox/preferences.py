"""How each officer wants to be told of things: in the app, by e-mail at once, by a daily
digest e-mail. An officer without a row gets the defaults (in the app and by e-mail)."""

from __future__ import annotations

from dataclasses import dataclass

from aduan.extensions import db
from aduan.models import Officer
from aduan.models.routing import NotificationPreference


@dataclass(frozen=True)
class Choice:
    """An officer's choice, read whether or not a row exists."""

    in_app: bool = True
    email: bool = True
    digest: bool = False


def of(officer: Officer) -> Choice:
    """The officer's preferences (the defaults when never set)."""
    row = db.session.get(NotificationPreference, officer.id)
    if row is None:
        return Choice()
    return Choice(in_app=row.in_app, email=row.email, digest=row.digest)


def save(officer: Officer, *, in_app: bool, email: bool, digest: bool) -> Choice:
    """Store the officer's own preferences; the caller commits."""
    row = db.session.get(NotificationPreference, officer.id)
    if row is None:
        row = NotificationPreference(officer_id=officer.id)
        db.session.add(row)
    row.in_app, row.email, row.digest = in_app, email, digest
    db.session.flush()
    return Choice(in_app=in_app, email=email, digest=digest)
