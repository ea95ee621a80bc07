"""Complainants and contact identities belong to one agency: agency_id on both, identities
unique per (agency, kind, handle). A complainant shared by tickets of several agencies is
split: the agency of its first ticket keeps the record, every other agency gets its own copy
(with copies of the identities) and its tickets point at that copy. A complainant with no
ticket goes to the first agency (the default one when DEFAULT_AGENCY_CODE is unset).

Revision ID: 0020_tenancy_complainants
Revises: 0019_tenancy_usernames
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0020_tenancy_complainants"
down_revision = "0019_tenancy_usernames"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
OLD_UNIQUE = "uq_contact_identities_channel_type_handle"
NEW_UNIQUE = "uq_contact_identities_agency_id_channel_type_handle"
COPY_COMPLAINANT = (
    "INSERT INTO complainants (agency_id, name, email, phone, mykad, language, created_at) "
    "SELECT :a, name, email, phone, mykad, language, created_at FROM complainants "
    "WHERE id = :c RETURNING id"
)
COPY_IDENTITIES = (
    "INSERT INTO contact_identities (complainant_id, agency_id, channel_type, handle, "
    "display_name, last_inbound_at, created_at) SELECT :n, :a, channel_type, handle, "
    "display_name, last_inbound_at, created_at FROM contact_identities WHERE complainant_id = :c"
)


def upgrade():
    op.add_column("complainants", sa.Column("agency_id", sa.Integer(), nullable=True))
    op.add_column("contact_identities", sa.Column("agency_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("contact_identities") as batch:
        batch.drop_constraint(OLD_UNIQUE, type_="unique")  # the copies repeat each handle
    conn = op.get_bind()
    copies = _split_shared(conn)
    if copies:
        log.warning("complainants split per agency: %s new records", copies)
    _orphans_to_first_agency(conn)
    conn.execute(
        sa.text(
            "UPDATE contact_identities SET agency_id = (SELECT c.agency_id FROM complainants "
            "AS c WHERE c.id = contact_identities.complainant_id)"
        )
    )
    with op.batch_alter_table("complainants") as batch:
        batch.alter_column("agency_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            "fk_complainants_agency_id_agencies", "agencies", ["agency_id"], ["id"]
        )
        batch.create_index("ix_complainants_agency_id", ["agency_id"])
    with op.batch_alter_table("contact_identities") as batch:
        batch.alter_column("agency_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            "fk_contact_identities_agency_id_agencies", "agencies", ["agency_id"], ["id"]
        )
        batch.create_unique_constraint(NEW_UNIQUE, ["agency_id", "channel_type", "handle"])


def downgrade():
    """The split records stay split (they are different rows now); only the columns go. A
    handle held in several agencies keeps the oldest identity row."""
    op.execute(
        "DELETE FROM contact_identities WHERE id NOT IN (SELECT min(id) FROM contact_identities "
        "GROUP BY channel_type, handle)"
    )
    with op.batch_alter_table("contact_identities") as batch:
        batch.drop_constraint(NEW_UNIQUE, type_="unique")
        batch.create_unique_constraint(OLD_UNIQUE, ["channel_type", "handle"])
        batch.drop_constraint("fk_contact_identities_agency_id_agencies", type_="foreignkey")
        batch.drop_column("agency_id")
    with op.batch_alter_table("complainants") as batch:
        batch.drop_index("ix_complainants_agency_id")
        batch.drop_constraint("fk_complainants_agency_id_agencies", type_="foreignkey")
        batch.drop_column("agency_id")


def _split_shared(conn) -> int:
    """Give each (complainant, agency of its tickets) pair its own record; returns copies."""
    pairs = conn.execute(
        sa.text(
            "SELECT complainant_id, agency_id FROM tickets WHERE complainant_id IS NOT NULL "
            "GROUP BY complainant_id, agency_id ORDER BY complainant_id, min(id)"
        )
    ).all()
    seen: set[int] = set()
    copies = 0
    for complainant_id, agency_id in pairs:
        if complainant_id not in seen:
            seen.add(complainant_id)
            conn.execute(
                sa.text("UPDATE complainants SET agency_id = :a WHERE id = :c"),
                {"a": agency_id, "c": complainant_id},
            )
            continue
        _copy_for(conn, complainant_id, agency_id)
        copies += 1
    return copies


def _copy_for(conn, complainant_id: int, agency_id: int) -> None:
    params = {"a": agency_id, "c": complainant_id}
    new_id = conn.execute(sa.text(COPY_COMPLAINANT), params).scalar_one()
    conn.execute(sa.text(COPY_IDENTITIES), {**params, "n": new_id})
    conn.execute(
        sa.text(
            "UPDATE tickets SET complainant_id = :n WHERE complainant_id = :c AND agency_id = :a"
        ),
        {**params, "n": new_id},
    )


def _orphans_to_first_agency(conn) -> None:
    first = conn.execute(sa.text("SELECT min(id) FROM agencies")).scalar()
    if first is None:  # no agency, hence no ticket: nobody can reach these records
        conn.execute(sa.text("DELETE FROM contact_identities"))
        conn.execute(sa.text("DELETE FROM complainants"))
        return
    conn.execute(
        sa.text("UPDATE complainants SET agency_id = :a WHERE agency_id IS NULL"), {"a": first}
    )
