"""API tokens: an optional expiry, and rotation (the previous secret's hash kept, valid until
the end of a grace period).

Revision ID: 0027_api_token_expiry
Revises: 0026_bot_conversation_account
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_api_token_expiry"
down_revision = "0026_bot_conversation_account"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade():
    op.add_column("api_tokens", sa.Column("expires_at", WHEN, nullable=True))
    op.add_column("api_tokens", sa.Column("rotated_at", WHEN, nullable=True))
    op.add_column("api_tokens", sa.Column("previous_hash", sa.String(length=64), nullable=True))
    op.add_column("api_tokens", sa.Column("previous_valid_until", WHEN, nullable=True))
    op.create_index("ix_api_tokens_previous_hash", "api_tokens", ["previous_hash"], unique=True)


def downgrade():
    op.drop_index("ix_api_tokens_previous_hash", table_name="api_tokens")
    for column in ("previous_valid_until", "previous_hash", "rotated_at", "expires_at"):
        op.drop_column("api_tokens", column)
