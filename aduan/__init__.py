"""Aduan: omnichannel complaint and feedback ticketing for Malaysian public agencies."""

from __future__ import annotations

import logging

from flask import Flask

from config import load_settings


def create_app(overrides: dict | None = None) -> Flask:
    """Wire extensions, blueprints and commands. Nothing here opens a connection."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(load_settings(overrides))
    _configure_logging(app)

    from aduan import models  # noqa: F401  (register every table on the metadata)
    from aduan.extensions import babel, csrf, db, login_manager, migrate
    from aduan.web import hostile_input, post_limits
    from aduan.web.language import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_alembic_dir()), render_as_batch=True)
    post_limits.register(app)  # before CSRF: a flood of posts is refused before a body is read
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    _init_limiter(app)
    hostile_input.register(app)  # form caps, and control characters refused before views

    _register_blueprints(app)
    _register_commands(app)
    return app


def _init_limiter(app: Flask) -> None:
    from aduan.extensions import limiter
    from aduan.redis_conn import limits_storage_uri

    if app.config.get("REDIS_URL"):  # None: a lone dev process keeps its limits in memory
        app.config.setdefault("RATELIMIT_STORAGE_URI", limits_storage_uri(app.config["REDIS_URL"]))
    limiter.init_app(app)
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:  # behind N reverse proxies, rate limits must key on the client's address
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def _alembic_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "alembic"


def _configure_logging(app: Flask) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
        )


def _register_blueprints(app: Flask) -> None:
    from aduan.web import auth_session, errors, health, language, security  # noqa: F401

    app.register_blueprint(health.bp)
    app.register_blueprint(language.bp)
    security.register(app)
    app.context_processor(language.template_context)
    from aduan.web import webhooks

    app.register_blueprint(webhooks.bp)
    from aduan.web import public  # citizens: form, status page, survey, charter

    app.register_blueprint(public.bp)
    from aduan.web import inbox  # officers: sign-in, queues, ticket page; bulk, new, notifications

    inbox.register(app)
    from aduan.web import admin  # /admin pages; /api/admin JSON (intake, routing rules)

    admin.register(app)
    from aduan.web import exports  # /exports: queue exports, the BPA return, downloads

    exports.register(app)
    from aduan.web import api  # /api/v1: tickets, catalog, citizens; its OpenAPI document

    api.register(app)
    from aduan.web import quality  # /kualiti staff pages; /a/<code>/n/… rating, shopper, study

    quality.register(app)

    from aduan.web import reports  # /reports: the dashboard and its exports

    reports.register(app)
    errors.register(app)


def _register_commands(app: Flask) -> None:
    from aduan.cli import register

    register(app)
