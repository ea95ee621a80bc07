"""Test harness: real PostgreSQL and real Redis.

- A fresh PostgreSQL database per run (``aduan_test_<pid>``), created by the Alembic migrations
  (the same path production takes), dropped at the end. Base URL: ``ADUAN_TEST_PG_URL``.
- Per-test isolation: every table is truncated after a test that used the database.
- Redis: a dedicated database number (``ADUAN_TEST_REDIS_URL``, default db 15), flushed per test;
  under pytest-xdist (``make test`` runs two workers) each worker has its own (15, 14, …) and,
  by the process id, its own PostgreSQL database.
"""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
import redis as redis_lib
from sqlalchemy import text

PG_BASE = os.environ.get("ADUAN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432")


def _worker_redis_url(base: str) -> str:
    """Under pytest-xdist each worker (gw0, gw1…) flushes a Redis database of its own: the
    base URL's number minus the worker's (15, 14, …)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return base
    head, _, number = base.rpartition("/")
    return f"{head}/{int(number or 0) - int(worker[2:])}"


REDIS_URL = _worker_redis_url(os.environ.get("ADUAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
ADMIN_DB = os.environ.get("ADUAN_TEST_PG_ADMIN_DB", "test")


def pg_admin(sql: str) -> None:
    with psycopg.connect(f"{PG_BASE}/{ADMIN_DB}", autocommit=True) as conn:
        conn.execute(sql)


def create_database(name: str) -> str:
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{name}"')
    return f"{PG_BASE}/{name}"


def drop_database(name: str) -> None:
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(database_url: str, instance_dir, **overrides):
    from aduan import create_app

    settings = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url.replace("postgresql://", "postgresql+psycopg://"),
        "REDIS_URL": REDIS_URL,
        "INSTANCE_DIR": str(instance_dir),
        "ATTACHMENT_DIR": str(instance_dir / "attachments"),
        "SECRET_KEY": "test-secret",
        "QUEUE_PREFIX": "test-",
        "PUBLIC_BASE_URL": "https://aduan.test",
    }
    settings.update(overrides)
    return create_app(settings)


@pytest.fixture(scope="session")
def database_url():
    name = f"aduan_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = create_database(name)
    yield url
    drop_database(name)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from flask_migrate import upgrade

    from aduan.extensions import limiter

    application = make_app(database_url, tmp_path_factory.mktemp("instance"))
    with application.app_context():
        upgrade(directory="alembic")
    _LIMITER_STATE.update(vars(limiter))
    return application


# Flask-Limiter's extension is one object per process: a second app made in a test (e.g. with
# a dead Redis) re-points its storage. Each test starts and ends with the session app's.
_LIMITER_STATE: dict = {}


def _restore_limiter() -> None:
    from aduan.extensions import limiter

    vars(limiter).update(_LIMITER_STATE)


@pytest.fixture
def app_ctx(app):
    """An app context with a clean database and Redis afterwards."""
    from aduan.extensions import db

    _restore_limiter()
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.remove()
        _truncate_all(db)
    _restore_limiter()
    _clear_caches()
    redis_lib.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def db(app_ctx):
    from aduan.extensions import db as database

    return database


@pytest.fixture
def client(app_ctx):
    return app_ctx.test_client()


def _truncate_all(database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in database.metadata.sorted_tables)
    with database.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _clear_caches() -> None:
    from aduan.services.channel_config.accounts import clear_account_cache
    from aduan.services.intake import reference_cache

    clear_account_cache()
    reference_cache.clear()  # the tables were truncated behind the ORM's back
    from aduan.services.sla.working_calendar import clear_calendar_cache

    clear_calendar_cache()
