"""contact_checks.phone_digest: a web filing that gave both an e-mail and a phone is unlocked
by the last four of either (the phone's hash here, the e-mail's in ``digest``).

Revision ID: 0033_citizen_contact_check_phone
Revises: 0032_exports_table
"""

from alembic import op
import sqlalchemy as sa

revision = "0033_citizen_contact_check_phone"
down_revision = "0032_exports_table"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("contact_checks", sa.Column("phone_digest", sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column("contact_checks", "phone_digest")
