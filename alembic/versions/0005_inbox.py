"""officer inbox: access log, canned responses, merges

Revision ID: 0005_inbox
Revises: 0004_routing_sla
"""

import sqlalchemy as sa

from alembic import op

revision = "0005_inbox"
down_revision = "0004_routing_sla"
branch_labels = None
depends_on = None


def _when() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def _fk(table: str, column: str, target: str, **kw) -> sa.ForeignKeyConstraint:
    name = op.f(f"fk_{table}_{column}_{target}")
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=name, **kw)


def upgrade():
    op.create_table(
        "ticket_access_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        _when(),
        _fk("ticket_access_logs", "ticket_id", "tickets", ondelete="CASCADE"),
        _fk("ticket_access_logs", "officer_id", "officers", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_access_logs")),
    )
    op.create_index(
        "ix_ticket_access_logs_ticket_at", "ticket_access_logs", ["ticket_id", "created_at"]
    )
    op.create_index(
        "ix_ticket_access_logs_officer_at", "ticket_access_logs", ["officer_id", "created_at"]
    )
    op.create_table(
        "canned_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _when(),
        _fk("canned_responses", "agency_id", "agencies", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_responses")),
    )
    op.create_index(
        "ix_canned_responses_agency_language", "canned_responses", ["agency_id", "language"]
    )


def downgrade():
    op.drop_index("ix_canned_responses_agency_language", table_name="canned_responses")
    op.drop_table("canned_responses")
    op.drop_index("ix_ticket_access_logs_officer_at", table_name="ticket_access_logs")
    op.drop_index("ix_ticket_access_logs_ticket_at", table_name="ticket_access_logs")
    op.drop_table("ticket_access_logs")
