"""The ``/api/v1`` blueprint, who is calling, and what they may do.

- ``Authorization: Bearer <token>``: an agency API token (``api_tokens.tokens``), an
  integration principal with agency-wide scope (``tickets.access``) limited by its scopes:
  ``read`` (GET), ``write`` (ticket changes), ``citizen`` (filing and status checks).
- Otherwise the officer's browser session; its writes need ``X-Requested-With:
  XMLHttpRequest`` (the app's CSRF rule for JSON, as ``/api/admin``): a cross-site form
  cannot set it, and a cross-site ``fetch`` that does needs a preflight this app never grants.
A revoked token is refused at its next request: the token is looked up every time.
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, current_app, g, request
from flask_login import current_user

from aduan.errors import PermissionDenied
from aduan.extensions import csrf, limiter
from aduan.models import Officer
from aduan.models.api import ApiToken
from aduan.services.api_tokens import tokens
from aduan.web.api import problems

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
problems.register_handlers(bp)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_ENDPOINTS = ("api_v1.openapi_document", "api_v1.docs_page")


class Unauthenticated(PermissionDenied):
    status = 401
    code = "unauthenticated"


def _rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "600 per minute")


def _rate_key() -> str:
    """Per token (or officer): one busy integration does not slow another agency's. Read
    from the request itself: Flask-Limiter checks before the blueprint authenticates."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return "api-token:" + tokens.hash_secret(secret.strip())[:24]
    if current_user.is_authenticated:
        return f"api-officer:{current_user.id}"
    return f"api-addr:{request.remote_addr}"


@bp.before_request
def _authenticate():
    g.api_principal = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        token = tokens.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            raise Unauthenticated("the token is unknown or revoked")
        g.api_principal = token
        return
    if not current_user.is_authenticated:
        raise Unauthenticated("send an API token (Authorization: Bearer) or sign in")
    if request.method not in SAFE_METHODS and (
        request.headers.get("X-Requested-With") != "XMLHttpRequest"
    ):
        raise PermissionDenied("send the header X-Requested-With: XMLHttpRequest")
    g.api_principal = current_user._get_current_object()


# Every /api/v1 call counts against its caller's limit (the key is known once authenticated).
limiter.limit(_rate_limit, key_func=_rate_key)(bp)


def principal() -> Officer | ApiToken:
    return g.api_principal


def audience() -> str:
    """Which view of each schema the caller gets."""
    caller = principal()
    if isinstance(caller, ApiToken):
        return "integration"
    return "admin" if caller.has_role("admin") else "officer"


def requires(scope: str):
    """The view needs ``scope`` of a token; an officer's session may do what the inbox does
    (``read``/``write``), but never act as a citizen."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            caller = principal()
            allowed = (
                caller.has_scope(scope) if isinstance(caller, ApiToken) else scope != "citizen"
            )
            if not allowed:
                raise PermissionDenied(f"this call needs the {scope!r} scope")
            return view(*args, **kwargs)

        return wrapper

    return decorator
