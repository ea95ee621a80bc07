"""The national calendar is the platform's: officers.platform_admin (the platform role, kept
outside the agency roles an agency admin edits) and office_closures, the days one agency's
offices are closed (a rest day in that agency's deadlines only).

Overrides made before this revision stay national: nothing says whether an agency admin meant
a cuti peristiwa for everyone or a closure of their own; a platform administrator reviews them.

Revision ID: 0023_tenancy_cal_closures
Revises: 0022_tenancy_referrals
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_tenancy_cal_closures"
down_revision = "0022_tenancy_referrals"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "officers",
        sa.Column("platform_admin", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "office_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("state_code", sa.String(length=2), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_office_closures_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["officers.id"],
            name=op.f("fk_office_closures_created_by_id_officers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_closures")),
        sa.UniqueConstraint("agency_id", "day", "state_code", name="uq_office_closures_day"),
    )
    with op.batch_alter_table("office_closures") as batch:
        batch.create_index(batch.f("ix_office_closures_agency_id"), ["agency_id"], unique=False)


def downgrade():
    op.drop_table("office_closures")
    with op.batch_alter_table("officers") as batch:
        batch.drop_column("platform_admin")
