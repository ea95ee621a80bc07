"""ticket_referrals: a ticket referred to another agency (Luar Bidang Kuasa), the referring
agency's record; tickets.clock_started_at: the receiving agency's clocks start at the referral.

Revision ID: 0022_tenancy_referrals
Revises: 0021_tenancy_filer_name
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_tenancy_referrals"
down_revision = "0021_tenancy_filer_name"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ticket_referrals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("to_agency_id", sa.Integer(), sa.ForeignKey("agencies.id"), nullable=True),
        sa.Column("to_name", sa.String(length=200), nullable=False),
        sa.Column("to_contact", sa.String(length=300), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "from_unit_id",
            sa.Integer(),
            sa.ForeignKey("units.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column(
            "referred_by_id",
            sa.Integer(),
            sa.ForeignKey("officers.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ticket_referrals_ticket_id", "ticket_referrals", ["ticket_id"])
    op.create_index(
        "ix_ticket_referrals_agency_ticket", "ticket_referrals", ["agency_id", "ticket_id"]
    )
    op.add_column("tickets", sa.Column("clock_started_at", sa.DateTime(timezone=True)))


def downgrade():
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("clock_started_at")
    op.drop_index("ix_ticket_referrals_agency_ticket", table_name="ticket_referrals")
    op.drop_index("ix_ticket_referrals_ticket_id", table_name="ticket_referrals")
    op.drop_table("ticket_referrals")
