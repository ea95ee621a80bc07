"""periodic_runs: a periodic job's period is marked in PostgreSQL, not only in Redis, so it
runs once even across a Redis or scheduler restart

Revision ID: 0016_periodic_runs
Revises: 0015_answer_key_version
"""

from alembic import op
import sqlalchemy as sa

revision = "0016_periodic_runs"
down_revision = "0015_answer_key_version"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "periodic_runs",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("slot", sa.BigInteger(), nullable=False),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", "slot"),
    )


def downgrade():
    op.drop_table("periodic_runs")
