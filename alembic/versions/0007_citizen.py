"""citizen side: verification codes, satisfaction survey, charter

Revision ID: 0007_citizen
Revises: 0006_admin
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0007_citizen"
down_revision = "0006_admin"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
