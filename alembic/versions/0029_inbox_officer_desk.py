"""The officer's desk (issue #17): notices folded per ticket and kind (notifications.repeats),
each officer's notification preferences (in the app, e-mail, daily digest) and saved inbox
views.

Revision ID: 0029_inbox_officer_desk
Revises: 0028_quality_measures
"""

from alembic import op
import sqlalchemy as sa

revision = "0029_inbox_officer_desk"
down_revision = "0028_quality_measures"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("repeats", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "notification_preferences",
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("digest_sent_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("officer_id"),
    )
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("officer_id", "name"),
    )
    op.create_index("ix_saved_views_officer_id", "saved_views", ["officer_id"])


def downgrade():
    op.drop_index("ix_saved_views_officer_id", table_name="saved_views")
    op.drop_table("saved_views")
    op.drop_table("notification_preferences")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("repeats")
