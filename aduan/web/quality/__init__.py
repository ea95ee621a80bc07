"""Service quality pages (issue #18): ``/kualiti`` for the agency's staff (service points,
posters, ratings, checklists, exercises, actions, study, figures) and the public rating,
kiosk, shopper and study pages under the agency's public path (``/a/<code>/…``)."""

from __future__ import annotations

from aduan.web.quality.blueprint import bp


def register(app) -> None:
    """The staff pages on ``bp`` (the public ones are on the citizens', ``web.public.quality``)."""
    from aduan.web.quality import figures, points, ratings, shopping, studies  # noqa: F401

    app.register_blueprint(bp)
