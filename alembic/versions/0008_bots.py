"""messaging bots: conversation state

Revision ID: 0008_bots
Revises: 0007_citizen
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008_bots"
down_revision = "0007_citizen"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "bot_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("handle", sa.String(length=254), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "handle"),
    )
    # Inline keyboard buttons of a bot message: [[label, callback data], ...] rows.
    with op.batch_alter_table("outbound_messages") as batch:
        batch.add_column(sa.Column("buttons", JSON, nullable=True))


def downgrade():
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_column("buttons")
    op.drop_table("bot_conversations")
