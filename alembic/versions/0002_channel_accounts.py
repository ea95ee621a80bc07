"""channel accounts and intake bookkeeping

Revision ID: 0002_channel_accounts
Revises: 1f65dc2249a3
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_channel_accounts"
down_revision = "1f65dc2249a3"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "channel_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("account_key", sa.String(length=40), nullable=False),
        sa.Column("settings", JSON, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("poll_state", JSON, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_channel_accounts_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_accounts")),
        sa.UniqueConstraint(
            "channel", "account_key", name=op.f("uq_channel_accounts_channel_account_key")
        ),
    )
    with op.batch_alter_table("channel_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_channel_accounts_agency_id"), ["agency_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("channel_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_accounts_agency_id"))
    op.drop_table("channel_accounts")
