"""tickets.search_vector: the full-text document stored (PostgreSQL), indexed by GIN

A broad search rechecks many heap rows; with an expression index each recheck recomputed
to_tsvector over subject and description. A stored generated column is read instead.
PostgreSQL only: SQLite (development) keeps its substring search and has no such column.
Adding the column rewrites the tickets table once (ACCESS EXCLUSIVE for its duration).

Revision ID: 0012_ticket_search_vector
Revises: 0011_drop_ticket_contact_hint
"""

from alembic import op

revision = "0012_ticket_search_vector"
down_revision = "0011_drop_ticket_contact_hint"
branch_labels = None
depends_on = None

# The same text as aduan.models.tickets.TICKET_SEARCH_DOCUMENT (migrations never import the app).
DOCUMENT = (
    "to_tsvector('simple', coalesce(reference, '') || ' ' || coalesce(subject, '') "
    "|| ' ' || coalesce(description, ''))"
)


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


def downgrade():
    if not _postgresql():
        return
    op.execute("DROP INDEX IF EXISTS ix_tickets_search")
    op.execute("ALTER TABLE tickets DROP COLUMN search_vector")
    op.execute(f"CREATE INDEX ix_tickets_search ON tickets USING gin (({DOCUMENT}))")
