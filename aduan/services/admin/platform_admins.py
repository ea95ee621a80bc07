"""Who administers the platform: the officers holding the platform role (``Officer.
platform_admin``), the only ones who change the national calendar.

The role sits outside an agency's roles, so no agency admin grants it: it is given and taken
from the command line (``flask platform-admin``) by whoever runs the deployment. Taking it
bumps the officer's ``session_version``, which signs them out everywhere.
"""

from __future__ import annotations

import logging

from sqlalchemy import func

from aduan.errors import NotFound
from aduan.extensions import db
from aduan.models import Officer

log = logging.getLogger(__name__)


def list_all() -> list[Officer]:
    """Every platform administrator, by username."""
    query = db.select(Officer).where(Officer.platform_admin.is_(True))
    return list(db.session.scalars(query.order_by(Officer.username)))


def set_platform_admin(username: str, granted: bool) -> Officer:
    """Grant (or take) the platform role of the officer signing in as ``username``; commit."""
    officer = db.session.scalar(
        db.select(Officer).where(func.lower(Officer.username) == username.strip().lower())
    )
    if officer is None:
        raise NotFound(f"no officer signs in as {username!r}")
    if officer.platform_admin and not granted:
        officer.session_version = (officer.session_version or 1) + 1
    officer.platform_admin = granted
    db.session.commit()
    log.info("platform role officer_id=%s granted=%s", officer.id, granted)
    return officer
