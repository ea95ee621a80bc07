"""routing rules, duty roster, SLA alerts, notifications, service recovery

Revision ID: 0004_routing_sla
Revises: 0003_intake_threading
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0004_routing_sla"
down_revision = "0003_intake_threading"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
