"""tickets.search_vector: the full-text document stored (PostgreSQL), indexed by GIN;
queue-count indexes that cover their filters

A broad search rechecks many heap rows; with an expression index each recheck recomputed
to_tsvector over subject and description. A stored generated column is read instead.
PostgreSQL only: SQLite (development) keeps its substring search and has no such column.
Adding the column rewrites the tickets table once (ACCESS EXCLUSIVE for its duration).

The inbox counts (up to 1,000 per queue) fetched a heap row per ticket counted to check the
agency, assignee or last change; with those columns INCLUDEd in the unit and assignee
indexes (PostgreSQL) the counts are index-only scans. The indexes' keys do not change.

Revision ID: 0012_ticket_search_vector
Revises: 0011_drop_ticket_contact_hint
"""

from alembic import op

revision = "0012_ticket_search_vector"
down_revision = "0011_drop_ticket_contact_hint"
branch_labels = None
depends_on = None

# The document the expression index held, now stored (see aduan.models.tickets; migrations
# never import the app).
DOCUMENT = (
    "to_tsvector('simple', coalesce(reference, '') || ' ' || coalesce(subject, '') "
    "|| ' ' || coalesce(description, ''))"
)
OPEN = (
    "status IN ('baharu', 'diterima', 'dalam_tindakan', 'menunggu_pengadu', "
    "'dipanjangkan', 'dibuka_semula')"
)
UNIT_INDEX = "ix_tickets_unit_status_due ON tickets (unit_id, status, resolve_due_at)"
ASSIGNEE_INDEX = "ix_tickets_open_assignee_due ON tickets (assignee_id, resolve_due_at, id)"


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _postgresql():
        return
    op.execute(
        f"ALTER TABLE tickets ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({DOCUMENT}) STORED"
    )
    op.execute("DROP INDEX IF EXISTS ix_tickets_search")
    op.execute("CREATE INDEX ix_tickets_search ON tickets USING gin (search_vector)")
    op.execute("DROP INDEX ix_tickets_unit_status_due")
    op.execute(f"CREATE INDEX {UNIT_INDEX} INCLUDE (agency_id, assignee_id, updated_at)")
    op.execute("DROP INDEX ix_tickets_open_assignee_due")
    op.execute(f"CREATE INDEX {ASSIGNEE_INDEX} INCLUDE (agency_id, unit_id) WHERE {OPEN}")


def downgrade():
    if not _postgresql():
        return
    op.execute("DROP INDEX ix_tickets_open_assignee_due")
    op.execute(f"CREATE INDEX {ASSIGNEE_INDEX} WHERE {OPEN}")
    op.execute("DROP INDEX ix_tickets_unit_status_due")
    op.execute(f"CREATE INDEX {UNIT_INDEX}")
    op.execute("DROP INDEX IF EXISTS ix_tickets_search")
    op.execute("ALTER TABLE tickets DROP COLUMN search_vector")
    op.execute(f"CREATE INDEX ix_tickets_search ON tickets USING gin (({DOCUMENT}))")
