"""/api/v1: agency API tokens (hashed, scoped, revocable), the idempotency keys of creates, and
ticket access logged for a token as for an officer.

Revision ID: 0025_api_v1_tokens
Revises: 0024_api_events_webhooks
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0025_api_v1_tokens"
down_revision = "0024_api_events_webhooks"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WHEN = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_used_at", WHEN, nullable=True),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_api_tokens_agency_id_agencies",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["officers.id"], name="fk_api_tokens_created_by_id_officers",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )  # fmt: skip
    op.create_index("ix_api_tokens_agency_id", "api_tokens", ["agency_id"])
    op.create_table(
        "api_idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("endpoint", sa.String(length=80), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_tokens.id"], name="fk_api_idempotency_keys_token_id_api_tokens",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name="fk_api_idempotency_keys_ticket_id_tickets",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_api_idempotency_keys"),
        sa.UniqueConstraint("token_id", "key", name="uq_api_idempotency_keys_token_key"),
    )  # fmt: skip
    op.create_index("ix_api_idempotency_keys_created", "api_idempotency_keys", ["created_at"])
    with op.batch_alter_table("ticket_access_logs") as batch:
        batch.alter_column("officer_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("api_token_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_ticket_access_logs_api_token_id_api_tokens", "api_tokens", ["api_token_id"],
            ["id"], ondelete="CASCADE",
        )  # fmt: skip


def downgrade():
    with op.batch_alter_table("ticket_access_logs") as batch:
        batch.drop_constraint("fk_ticket_access_logs_api_token_id_api_tokens", type_="foreignkey")
        batch.drop_column("api_token_id")
    op.execute("DELETE FROM ticket_access_logs WHERE officer_id IS NULL")
    with op.batch_alter_table("ticket_access_logs") as batch:
        batch.alter_column("officer_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("api_idempotency_keys")
    op.drop_table("api_tokens")
