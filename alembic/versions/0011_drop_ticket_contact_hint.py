"""drop tickets.contact_hint: never used — the status page keeps a keyed hash in contact_checks

Revision ID: 0011_drop_ticket_contact_hint
Revises: 0010_inbox_queue_indexes
"""

from alembic import op
import sqlalchemy as sa

revision = "0011_drop_ticket_contact_hint"
down_revision = "0010_inbox_queue_indexes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_column("contact_hint")


def downgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.add_column(sa.Column("contact_hint", sa.String(length=8), nullable=True))
