"""The schema is only ever made by migrations: one head, and nothing left for autogenerate."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from tests.conftest import create_database, drop_database, make_app


def include_object(obj, name, type_, reflected, compare_to):
    """As alembic/env.py: hand-written full-text indexes and tickets.search_vector."""
    if type_ == "column" and (obj.table.name, name) == ("tickets", "search_vector"):
        return False
    return not (type_ == "index" and name and name.endswith("_search"))


@pytest.fixture
def empty_database():
    name = f"aduan_migration_check_{os.getpid()}"
    url = create_database(name)
    yield url
    drop_database(name)


def test_single_head(app):
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        assert len(script.get_heads()) == 1


def test_upgrade_head_on_empty_postgresql_matches_the_models(empty_database, tmp_path):
    from aduan.extensions import db

    app = make_app(empty_database, tmp_path)
    with app.app_context():
        upgrade(directory="alembic")
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": include_object})
            assert compare_metadata(context, db.metadata) == []
        indexes = dict(
            db.session.execute(db.text("SELECT indexname, indexdef FROM pg_indexes")).all()
        )
        assert {"ix_tickets_search", "ix_messages_search", "ix_tickets_unit_status_due"} <= set(
            indexes
        )
        assert "(search_vector)" in indexes["ix_tickets_search"]
        # autogenerate does not compare INCLUDE: the queue counts rely on it (index-only)
        assert (
            "INCLUDE (agency_id, assignee_id, updated_at)" in indexes["ix_tickets_unit_status_due"]
        )
        assert "INCLUDE (agency_id, unit_id)" in indexes["ix_tickets_open_assignee_due"]
        downgrade(directory="alembic", revision="base")
        db.session.remove()
        db.engine.dispose()


def test_migrations_run_on_sqlite(tmp_path):
    from aduan.extensions import db

    app = make_app(f"sqlite:///{tmp_path / 'a.db'}", tmp_path)
    with app.app_context():
        upgrade(directory="alembic")
        tables = db.session.execute(db.text("SELECT name FROM sqlite_master")).scalars().all()
        assert "tickets" in tables and "ticket_events" in tables
