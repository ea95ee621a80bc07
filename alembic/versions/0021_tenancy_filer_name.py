"""tickets.filer_name: the name given with this complaint. Contact details typed into a form
prove nothing, so the ticket page shows what this filer gave, never a stored record's name.

Revision ID: 0021_tenancy_filer_name
Revises: 0020_tenancy_complainants
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_tenancy_filer_name"
down_revision = "0020_tenancy_complainants"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("tickets", sa.Column("filer_name", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("filer_name")
