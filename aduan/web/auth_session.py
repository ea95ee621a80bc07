"""Who is signed in, and what their role allows. Sign-in pages come with the inbox.

The session stores the officer id with the officer's ``session_version``: bumping that
number (sign-out, sign out everywhere, password change, deactivation) invalidates every
session of that officer, so a copied cookie stops working too.
"""

from __future__ import annotations

from functools import wraps

from flask import session
from flask_login import current_user

from aduan.errors import PermissionDenied
from aduan.extensions import db, login_manager
from aduan.models import Officer

SESSION_VERSION_KEY = "officer_session_version"


@login_manager.user_loader
def load_officer(officer_id: str) -> Officer | None:
    officer = db.session.get(Officer, int(officer_id))
    if officer is None or not officer.active:
        return None
    if session.get(SESSION_VERSION_KEY) != officer.session_version:
        return None
    return officer


@login_manager.unauthorized_handler
def unauthorized():
    raise PermissionDenied("sign in first")


def roles_required(*roles: str):
    """Allow the view to officers holding any of ``roles`` (admin is not implied)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not any(current_user.has_role(r) for r in roles):
                raise PermissionDenied("your role does not allow this")
            return view(*args, **kwargs)

        return wrapper

    return decorator
