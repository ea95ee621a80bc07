"""admin pages and bulk actions

Revision ID: 0006_admin
Revises: 0005_inbox
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0006_admin"
down_revision = "0005_inbox"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
