"""Exports (``/exports``): asking for a queue export or the BPA monthly return, the progress
page that polls until the file is ready, and the download — only by the officer who asked.
Views are thin: ``aduan/services/exports/`` records, runs and scopes them."""

from __future__ import annotations


def register(app) -> None:
    """The export pages on their blueprint."""
    from aduan.web.exports import routes

    app.register_blueprint(routes.bp)
