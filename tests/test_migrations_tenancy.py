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
    migrated_to("0019_tenancy_usernames")
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


def _complainant(name: str) -> int:
    complainant = _sql(
        "INSERT INTO complainants (name, phone, language, created_at) VALUES (:n, '+60123456789', "
        "'ms', now()) RETURNING id",
        n=name,
    ).scalar_one()
    _sql(
        "INSERT INTO contact_identities (complainant_id, channel_type, handle, created_at) "
        "VALUES (:c, 'phone', '+60123456789', now())",
        c=complainant,
    )
    return complainant


def _ticket(agency_id: int, complainant_id: int, reference: str) -> int:
    return _sql(
        "INSERT INTO tickets (reference, agency_id, type, status, complexity, complainant_id, "
        "origin_channel, subject, description, language, received_at, sla_paused_seconds, "
        "created_at, updated_at, version) VALUES (:r, :a, 'aduan', 'baharu', 'biasa', :c, "
        "'sms', '', '', 'ms', now(), 0, now(), now(), 1) RETURNING id",
        r=reference, a=agency_id, c=complainant_id,
    ).scalar_one()  # fmt: skip


def test_a_complainant_shared_by_two_agencies_is_split_per_agency(migrated_to):
    migrated_to("0019_tenancy_usernames")
    agency_a, agency_b = _agency("A"), _agency("B")
    shared = _complainant("Siti")
    first_a = _ticket(agency_a, shared, "ADU-1")
    in_b = _ticket(agency_b, shared, "ADU-2")
    second_a = _ticket(agency_a, shared, "ADU-3")
    lonely = _sql(
        "INSERT INTO complainants (name, language, created_at) VALUES ('X', 'ms', now()) "
        "RETURNING id"
    ).scalar_one()
    migrated_to("0020_tenancy_complainants")
    owners = dict(_sql("SELECT id, complainant_id FROM tickets").all())
    assert owners[first_a] == owners[second_a] == shared and owners[in_b] != shared
    rows = {r.id: r for r in _sql("SELECT id, agency_id, name FROM complainants").all()}
    assert (rows[shared].agency_id, rows[owners[in_b]].agency_id) == (agency_a, agency_b)
    assert rows[owners[in_b]].name == "Siti" and rows[lonely].agency_id == agency_a
    identities = _sql(
        "SELECT agency_id, complainant_id FROM contact_identities ORDER BY agency_id"
    ).all()
    assert [tuple(i) for i in identities] == [(agency_a, shared), (agency_b, owners[in_b])]
    downgrade(directory="alembic", revision="0019_tenancy_usernames")
