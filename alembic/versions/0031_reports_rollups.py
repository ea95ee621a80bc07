"""report_rollups and report_dirty_tickets: the reports' maintained aggregates (one row per
agency × agency-local day × the ticket's dimensions) and the tickets whose days must be rolled
up again (aduan.services.reports.rollups). Existing tickets are rolled up by
``flask reports rebuild`` (or the nightly reconciler, day by day).

Revision ID: 0031_reports_rollups
Revises: 0030_accounts_security
"""

from alembic import op
import sqlalchemy as sa

revision = "0031_reports_rollups"
down_revision = "0030_accounts_security"
branch_labels = None
depends_on = None

COUNTERS = (
    "received", "ack_met", "ack_judged", "first_met", "first_judged", "resolve_met",
    "resolve_judged", "resolved", "closed", "reopened", "merged", "referred", "breach_ack",
    "breach_first", "breach_resolve", "breach_l1", "breach_l2", "breach_l3", "apologies",
    "recovered", "surveys", "responses", "rating_sum", "rating_1", "rating_2", "rating_3",
    "rating_4", "rating_5", "comments", "objections",
)  # fmt: skip


def upgrade():
    op.create_table(
        "report_rollups",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("ticket_type", sa.String(length=20), nullable=False),
        sa.Column("complexity", sa.String(length=10), nullable=False),
        sa.Column("state_code", sa.String(length=2), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=False, server_default="0") for name in COUNTERS),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_rollups_agency_day", "report_rollups", ["agency_id", "day"])
    op.create_table(
        "report_dirty_tickets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    # The rollup of one day reads the tickets received and the events made on it.
    op.create_index("ix_tickets_agency_received", "tickets", ["agency_id", "received_at"])
    op.create_index("ix_ticket_events_created", "ticket_events", ["created_at"])


def downgrade():
    op.drop_index("ix_ticket_events_created", table_name="ticket_events")
    op.drop_index("ix_tickets_agency_received", table_name="tickets")
    op.drop_table("report_dirty_tickets")
    op.drop_index("ix_report_rollups_agency_day", table_name="report_rollups")
    op.drop_table("report_rollups")
