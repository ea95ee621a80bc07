"""indexes for the inbox queues: open tickets by deadline, finished ones by last change

Revision ID: 0010_inbox_queue_indexes
Revises: 0009_officer_last_assignment
"""

from alembic import op
import sqlalchemy as sa

revision = "0010_inbox_queue_indexes"
down_revision = "0009_officer_last_assignment"
branch_labels = None
depends_on = None

OPEN = sa.text(
    "status IN ('baharu', 'diterima', 'dalam_tindakan', 'menunggu_pengadu', "
    "'dipanjangkan', 'dibuka_semula')"
)


FINISHED = sa.text(
    "status IN ('ditutup', 'luar_bidang_kuasa', 'selesai', 'tiada_tindakan_lanjut')"
)


def upgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.create_index(
            "ix_tickets_open_agency_due",
            ["agency_id", "resolve_due_at", "id"],
            postgresql_where=OPEN,
            sqlite_where=OPEN,
        )
        batch_op.create_index(
            "ix_tickets_open_assignee_due",
            ["assignee_id", "resolve_due_at", "id"],
            postgresql_where=OPEN,
            sqlite_where=OPEN,
        )
        batch_op.create_index(
            "ix_tickets_finished_agency_updated",
            ["agency_id", "updated_at", "id"],
            postgresql_where=FINISHED,
            sqlite_where=FINISHED,
        )


def downgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_index("ix_tickets_finished_agency_updated")
        batch_op.drop_index("ix_tickets_open_assignee_due")
        batch_op.drop_index("ix_tickets_open_agency_due")
