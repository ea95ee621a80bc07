"""ix_tickets_open_agency_due INCLUDEs status: agency-wide Overdue and Due-today counts
stay index-only now that those queues leave out tickets waiting on the complainant

Revision ID: 0014_agency_due_index_status
Revises: 0013_whatsapp_windows
"""

from alembic import op

revision = "0014_agency_due_index_status"
down_revision = "0013_whatsapp_windows"
branch_labels = None
depends_on = None

OPEN = (
    "status IN ('baharu', 'diterima', 'dalam_tindakan', 'menunggu_pengadu', "
    "'dipanjangkan', 'dibuka_semula')"
)
AGENCY_INDEX = "ix_tickets_open_agency_due ON tickets (agency_id, resolve_due_at, id)"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_tickets_open_agency_due")
    op.execute(f"CREATE INDEX {AGENCY_INDEX} INCLUDE (status) WHERE {OPEN}")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_tickets_open_agency_due")
    op.execute(f"CREATE INDEX {AGENCY_INDEX} WHERE {OPEN}")
