"""officer inbox: access log, canned responses, merges

Revision ID: 0005_inbox
Revises: 0004_routing_sla
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0005_inbox"
down_revision = "0004_routing_sla"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
