"""contact_checks.key_version: the version of the answer key each status-page hash was made
with (0: made before answer keys, keyed on the secret key)

Revision ID: 0015_answer_key_version
Revises: 0014_agency_due_index_status
"""

from alembic import op
import sqlalchemy as sa

revision = "0015_answer_key_version"
down_revision = "0014_agency_due_index_status"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "contact_checks",
        sa.Column("key_version", sa.SmallInteger(), nullable=False, server_default="0"),
    )


def downgrade():
    op.drop_column("contact_checks", "key_version")
