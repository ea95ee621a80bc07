"""Who is signed in, and what their role allows. Sign-in pages come with the inbox.

The session stores the officer id with the officer's ``session_version`` and the key of its
device record (``services/auth/devices.py``). Bumping the version (sign out everywhere, a
password change, deactivation) invalidates every session of that officer; revoking the device
record (signing out, "signed in on these devices") ends that one browser. A copied cookie
stops working too. Administrators' pages also need two-factor sign-in set up first.
"""

from __future__ import annotations

from functools import wraps

from flask import redirect, request, session, url_for
from flask_login import current_user

from aduan.errors import PermissionDenied
from aduan.extensions import db, login_manager
from aduan.models import Officer
from aduan.services.auth import devices, two_factor
from aduan.vocabulary import Role

SESSION_VERSION_KEY = "officer_session_version"
DEVICE_KEY = "officer_device"
# Roles whose pages need two-factor sign-in set up (they hold channel secrets and API tokens).
SECOND_FACTOR_ROLES = {Role.ADMIN.value, Role.PLATFORM_ADMIN.value}


@login_manager.user_loader
def load_officer(officer_id: str) -> Officer | None:
    officer = db.session.get(Officer, int(officer_id))
    if officer is None or not officer.active:
        return None
    if session.get(SESSION_VERSION_KEY) != officer.session_version:
        return None
    if not devices.is_open(officer.id, session.get(DEVICE_KEY)):
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
            held = [r for r in roles if current_user.has_role(r)]
            if not held:
                raise PermissionDenied("your role does not allow this")
            if set(held) <= SECOND_FACTOR_ROLES and _must_enrol():
                return _to_enrolment()
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _must_enrol() -> bool:
    officer = current_user._get_current_object()
    return isinstance(officer, Officer) and two_factor.needs_enrolment(officer)


def _to_enrolment():
    """An administrator without two-factor sign-in goes to set it up (JSON: refused)."""
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        raise PermissionDenied("set up two-factor sign-in first, at /account/two-factor")
    return redirect(url_for("account.two_factor_setup", next=request.full_path.rstrip("?")))
