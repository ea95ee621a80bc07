"""The tenancy migrations repair existing data: username clashes (0015) are renamed and
reported; shared complainants (0016) are split per agency of their tickets."""

import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tests.conftest import create_database, drop_database, make_app


@pytest.fixture
def migrated_to(tmp_path):
    """``migrate(revision)`` upgrades a fresh database to ``revision`` and returns its app."""
    name = f"aduan_tenancy_migration_{os.getpid()}"
    url = create_database(name)
    app = make_app(url, tmp_path)
    context = app.app_context()
    context.push()

    def migrate(revision: str):
        upgrade(directory="alembic", revision=revision)
        return app

    yield migrate
    from aduan.extensions import db

    db.session.remove()
    db.engine.dispose()
    context.pop()
    drop_database(name)


def _sql(statement: str, **params):
    from aduan.extensions import db

    result = db.session.execute(text(statement), params)
    db.session.commit()
    return result


def _agency(code: str) -> int:
    return _sql(
        "INSERT INTO agencies (code, name, state_code, office_open, office_close, settings, "
        "created_at) VALUES (:c, :c, '10', '08:00', '17:00', '{}', now()) RETURNING id",
        c=code,
    ).scalar_one()


def _officer(agency_id: int, username: str) -> int:
    return _sql(
        "INSERT INTO officers (agency_id, username, name, email, password_hash, roles, locale, "
        "active, failed_logins, session_version, created_at) VALUES (:a, :u, :u, 'x@y.test', "
        "'', '[]', 'ms', true, 0, 1, now()) RETURNING id",
        a=agency_id, u=username,
    ).scalar_one()  # fmt: skip


def test_username_clashes_are_renamed_with_a_suffix_and_reported(migrated_to):
    migrated_to("0014_agency_due_index_status")
    agency_a, agency_b = _agency("A"), _agency("B")
    first = _officer(agency_a, "admin")
    second = _officer(agency_b, "ADMIN")
    third = _officer(agency_b, "Admin")
    migrated_to("0015_tenancy_usernames")
    names = dict(_sql("SELECT id, username FROM officers").all())
    assert names == {first: "admin", second: "ADMIN-2", third: "Admin-3"}
    audits = _sql(
        "SELECT agency_id, entity_id, action, before, after FROM admin_audit_log ORDER BY id"
    ).all()
    assert [(a.agency_id, a.entity_id, a.action) for a in audits] == [
        (agency_b, second, "rename"), (agency_b, third, "rename"),
    ]  # fmt: skip
    assert audits[0].before == {"username": "ADMIN"}
    assert audits[0].after["username"] == "ADMIN-2"
    downgrade(directory="alembic", revision="0014_agency_due_index_status")
