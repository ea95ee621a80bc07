"""intake threading and outbound delivery

Revision ID: 0003_intake_threading
Revises: 0002_channel_accounts
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_intake_threading"
down_revision = "0002_channel_accounts"
branch_labels = None
depends_on = None


def upgrade():
    # E-mail threading headers of a reply, fixed when the reply is queued (not when it is sent).
    with op.batch_alter_table("outbound_messages") as batch:
        batch.add_column(sa.Column("in_reply_to", sa.String(255), nullable=True))
        batch.add_column(sa.Column("email_references", sa.Text(), nullable=True))
        batch.add_column(sa.Column("last_status_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_column("last_status_at")
        batch.drop_column("email_references")
        batch.drop_column("in_reply_to")
