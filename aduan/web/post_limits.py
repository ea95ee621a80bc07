"""A coarse rate limit on unauthenticated form posts, checked before anything reads the body.

The views' own limits (the complaint form's, the status page's, sign-in's) are Flask-Limiter
decorators: they run when the view is called, after CSRF protection has parsed the form. So a
flood of posts from one address still had each body parsed before being refused. This check
runs first — registered ahead of CSRF — on the posts an outsider can make (the citizen pages
and sign-in), per client address, with ``PUBLIC_POST_LIMIT``; the views' finer limits still
apply behind it. Provider webhooks are verified by signature and are not limited here.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, request
from flask_limiter.util import get_remote_address
from limits import parse_many

from aduan.extensions import limiter

LIMITED_BLUEPRINTS = frozenset({"public", "auth", "language"})
DEFAULT_LIMIT = "30 per minute;300 per hour"


def register(app: Flask) -> None:
    """Register the check; call before ``csrf.init_app`` so it runs before the form is read."""
    app.before_request(_limit_unauthenticated_posts)


def _limit_unauthenticated_posts() -> None:
    if request.method != "POST" or request.blueprint not in LIMITED_BLUEPRINTS:
        return
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    spec = current_app.config.get("PUBLIC_POST_LIMIT") or DEFAULT_LIMIT
    address = get_remote_address()
    for item in parse_many(spec):
        if not limiter.limiter.hit(item, "public-post", address):
            abort(429)
