"""Flat per-complaint cost at intake: each officer's open-ticket count is kept on the officer
(``tickets.loads``) instead of counted on every assignment, and the complainant's reply handle
is found by an index on (complainant, identity type), and their newest ticket by one on
(complainant, agency, channel, id).

Revision ID: 0034_intake_flat_cost
Revises: 0033_citizen_contact_check_phone
"""

from alembic import op
import sqlalchemy as sa

revision = "0034_intake_flat_cost"
down_revision = "0033_citizen_contact_check_phone"
branch_labels = None
depends_on = None

# aduan.vocabulary.OPEN_STATUSES when this was written
OPEN = ("baharu", "diterima", "dalam_tindakan", "menunggu_pengadu", "dipanjangkan", "dibuka_semula")


def upgrade() -> None:
    op.add_column(
        "officers",
        sa.Column("open_ticket_count", sa.Integer(), server_default="0", nullable=False),
    )
    op.execute(
        sa.text(
            "UPDATE officers SET open_ticket_count = (SELECT count(*) FROM tickets "
            "WHERE tickets.assignee_id = officers.id AND tickets.status IN :open)"
        ).bindparams(sa.bindparam("open", value=list(OPEN), expanding=True))
    )
    op.create_index(
        "ix_contact_identities_complainant_type",
        "contact_identities",
        ["complainant_id", "channel_type"],
    )


    # Replaces the index on complainant_id alone: a complainant's newest open ticket is read
    # backwards from their newest, not found by walking the agency's open tickets.
    op.create_index(
        "ix_tickets_complainant_newest",
        "tickets",
        ["complainant_id", "agency_id", "origin_channel", "id"],
    )
    op.drop_index("ix_tickets_complainant_id", table_name="tickets")


def downgrade() -> None:
    op.create_index("ix_tickets_complainant_id", "tickets", ["complainant_id"])
    op.drop_index("ix_tickets_complainant_newest", table_name="tickets")
    op.drop_index("ix_contact_identities_complainant_type", table_name="contact_identities")
    op.drop_column("officers", "open_ticket_count")
