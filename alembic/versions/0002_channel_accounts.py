"""channel accounts and intake bookkeeping

Revision ID: 0002_channel_accounts
Revises: 1f65dc2249a3
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0002_channel_accounts"
down_revision = "1f65dc2249a3"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
