"""whatsapp_windows: when a complainant last wrote to each business number (WhatsApp's 24-hour
window is per business number, and bot commands store no message); filled from the messages
stored so far

Revision ID: 0013_whatsapp_windows
Revises: 0012_ticket_search_vector
"""

from alembic import op
import sqlalchemy as sa

revision = "0013_whatsapp_windows"
down_revision = "0012_ticket_search_vector"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "whatsapp_windows",
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("account_key", sa.String(length=40), nullable=False),
        sa.Column("handle", sa.String(length=254), nullable=False),
        sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "account_key", "handle"),
    )
    op.execute(
        """
        INSERT INTO whatsapp_windows (channel, account_key, handle, last_inbound_at)
        SELECT m.channel, coalesce(e.account_key, 'default'), m.sender, max(m.created_at)
        FROM messages AS m LEFT JOIN inbound_events AS e ON e.id = m.inbound_event_id
        WHERE m.direction = 'in' AND m.channel IN ('whatsapp', 'whatsapp_cloud')
              AND m.sender IS NOT NULL
        GROUP BY 1, 2, 3
        """
    )


def downgrade():
    op.drop_table("whatsapp_windows")
