"""attachment_blobs: attachment bytes in the database, keyed by sha256, so that every host
(web and workers) reads the same files (ADUAN_ATTACHMENT_STORE=postgresql)

Revision ID: 0018_attachment_store
Revises: 0017_inbound_sender_order
"""

from alembic import op
import sqlalchemy as sa

revision = "0018_attachment_store"
down_revision = "0017_inbound_sender_order"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attachment_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_attachment_blobs")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Photos and PDFs are compressed already: out of line, without a futile pglz pass.
        op.execute("ALTER TABLE attachment_blobs ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade():
    op.drop_table("attachment_blobs")
