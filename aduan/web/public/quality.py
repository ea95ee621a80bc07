"""The public rating page of a service point (its QR code's short link) and its kiosk mode.

Under the agency's public path only: ``/a/<code>/n/<point>`` (and ``…/kiosk?k=<key>``). No
login; CSRF on the form; per-address rate limits here, one rating per device per point per
hour in ``quality.ratings``.
"""

from __future__ import annotations

import secrets

from flask import abort, current_app, render_template, request
from flask_babel import get_locale

from aduan.errors import ValidationFailed
from aduan.extensions import limiter
from aduan.languages import citizen_language
from aduan.services.quality import ratings, service_points
from aduan.web.public.agency_scope import PREFIX, page_agency
from aduan.web.public.blueprint import bp

DEVICE_COOKIE = "aduan_rater"
DEVICE_COOKIE_SECONDS = 365 * 24 * 3600
KIOSK_RESET_SECONDS = 8


def _rating_limit() -> str:
    return current_app.config.get("QUALITY_RATING_LIMIT", "10 per minute;60 per hour")


def _kiosk_limit() -> str:
    return current_app.config.get("QUALITY_KIOSK_LIMIT", "12 per minute;600 per day")


def _kiosk_key() -> str:
    return "kiosk:" + str(request.view_args.get("point_code", "")) + ":" + request.path


def _point(point_code: str):
    agency = page_agency()
    point = service_points.find_public(agency, point_code) if agency is not None else None
    if point is None:
        abort(404)
    return point


def _language() -> str:
    return citizen_language(str(get_locale() or "ms"))


def _device() -> tuple[str, str | None]:
    """The device key and, when the device has none yet, the cookie to give it."""
    cookie = request.cookies.get(DEVICE_COOKIE, "")
    if 16 <= len(cookie) <= 64:
        return cookie, None
    fresh = secrets.token_urlsafe(24)
    # Cookies refused: the address and browser stand in (hashed with the point, not stored).
    fallback = f"addr:{request.remote_addr}:{request.user_agent.string[:200]}"
    return fallback if request.method == "POST" else fresh, fresh


def _page(point, kiosk_key: str | None = None, **context):
    device, fresh = _device()
    response = current_app.make_response(render_template(
        "quality/rate.html", point=point, kiosk_key=kiosk_key,
        reset_seconds=KIOSK_RESET_SECONDS, **context,
    ))  # fmt: skip
    status = context.get("status")
    if status:
        response.status_code = status
    if fresh is not None:
        response.set_cookie(DEVICE_COOKIE, fresh, max_age=DEVICE_COOKIE_SECONDS, httponly=True,
                            samesite="Lax", secure=request.is_secure)  # fmt: skip
    return response


def rate_point(point_code: str):
    point = _point(point_code)
    if request.method == "GET":
        return _page(point, values={}, errors={})
    return _submit(point, kiosk_key=None)


def rate_point_kiosk(point_code: str):
    point = _point(point_code)
    key = request.values.get("k", "")
    if not service_points.kiosk_key_valid(point, key):
        abort(404)
    if request.method == "GET":
        return _page(point, kiosk_key=key, values={}, errors={})
    return _submit(point, kiosk_key=key)


def _submit(point, kiosk_key: str | None):
    try:
        given = ratings.clean(request.form, _language())
        device, _fresh = _device()
        rating = ratings.submit(point, given, device, kiosk=kiosk_key is not None)
    except ValidationFailed as exc:
        return _page(point, kiosk_key, values=request.form, errors=exc.errors, status=422)
    except ratings.AlreadyRated:
        return _page(point, kiosk_key, values={}, errors={}, already=True, status=429)
    return _page(point, kiosk_key, values={}, errors={}, thanked=rating)


bp.add_url_rule(
    PREFIX + "/n/<point_code>", view_func=limiter.limit(_rating_limit, methods=["POST"])(
        rate_point), methods=["GET", "POST"],
)  # fmt: skip
bp.add_url_rule(
    PREFIX + "/n/<point_code>/kiosk", view_func=limiter.limit(
        _kiosk_limit, key_func=_kiosk_key, methods=["POST"])(rate_point_kiosk),
    methods=["GET", "POST"],
)  # fmt: skip
