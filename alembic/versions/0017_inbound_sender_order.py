"""inbound_events.sender_key and order_slot: one sender's events are drained in one slot and
processed in arrival order (a follow-up no longer opens the ticket ahead of the first message)

Revision ID: 0017_inbound_sender_order
Revises: 0016_periodic_runs
"""

from alembic import op
import sqlalchemy as sa

revision = "0017_inbound_sender_order"
down_revision = "0016_periodic_runs"
branch_labels = None
depends_on = None

PENDING = "processed_at IS NULL AND quarantined_at IS NULL"


def upgrade():
    op.add_column("inbound_events", sa.Column("sender_key", sa.String(length=32), nullable=True))
    op.add_column("inbound_events", sa.Column("order_slot", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_inbound_events_pending_sender",
        "inbound_events",
        ["sender_key", "id"],
        postgresql_where=sa.text(PENDING),
        sqlite_where=sa.text(PENDING),
    )


def downgrade():
    op.drop_index("ix_inbound_events_pending_sender", table_name="inbound_events")
    op.drop_column("inbound_events", "order_slot")
    op.drop_column("inbound_events", "sender_key")
