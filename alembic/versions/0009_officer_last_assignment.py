"""officers remember their last roster assignment (fair round robin without scanning events)

Revision ID: 0009_officer_last_assignment
Revises: 0008_bots
"""

from alembic import op
import sqlalchemy as sa

revision = "0009_officer_last_assignment"
down_revision = "0008_bots"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("officers") as batch_op:
        batch_op.add_column(sa.Column("last_assigned_event_id", sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            UPDATE officers SET last_assigned_event_id = latest.event_id
            FROM (SELECT (after->>'assignee_id')::int AS officer_id, max(id) AS event_id
                  FROM ticket_events WHERE kind = 'assigned' GROUP BY 1) AS latest
            WHERE officers.id = latest.officer_id
            """
        )


def downgrade():
    with op.batch_alter_table("officers") as batch_op:
        batch_op.drop_column("last_assigned_event_id")
