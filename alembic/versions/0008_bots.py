"""messaging bots: conversation state

Revision ID: 0008_bots
Revises: 0007_citizen
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0008_bots"
down_revision = "0007_citizen"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
