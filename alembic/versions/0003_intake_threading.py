"""intake threading and outbound delivery

Revision ID: 0003_intake_threading
Revises: 0002_channel_accounts
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0003_intake_threading"
down_revision = "0002_channel_accounts"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
