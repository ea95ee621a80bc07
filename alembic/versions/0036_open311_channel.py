"""tickets.address: the address an Open311 service request gives in words
(``address_string``), kept on the ticket beside its map point and shown to officers, as the
Open311 filings become a channel of their own (``open311``). Channel names have no CHECK
constraint or enum in the database: nothing else changes.

Revision ID: 0036_open311_channel
Revises: 0035_reports_fast
"""

from alembic import op
import sqlalchemy as sa

revision = "0036_open311_channel"
down_revision = "0035_reports_fast"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("tickets", sa.Column("address", sa.String(length=500), nullable=True))


def downgrade():
    op.drop_column("tickets", "address")
