"""The reports dashboard at national scale: ``report_comments`` files each answered survey
comment under its ticket's agency and unit (filled here from the existing answers), so a
period's latest comments are read from one agency's index instead of every agency's answers.
Two partial indexes on open tickets: (agency, received) finds an agency's open tickets of a
period (judged live when late) without reading every agency's open tickets, and (agency, last
officer action or else received, id) gives its oldest untouched ones without sorting its whole
open book.

Revision ID: 0035_reports_fast
Revises: 0034_intake_flat_cost
"""

from alembic import op
import sqlalchemy as sa

revision = "0035_reports_fast"
down_revision = "0034_intake_flat_cost"
branch_labels = None
depends_on = None

# aduan.models.routing.OPEN_STATUS_SQL when this was written
OPEN_STATUS_SQL = (
    "status IN ('baharu', 'diterima', 'dalam_tindakan', 'menunggu_pengadu', "
    "'dipanjangkan', 'dibuka_semula')"
)
UNTOUCHED = "ix_tickets_open_agency_untouched"
RECEIVED = "ix_tickets_open_agency_received"


def upgrade() -> None:
    op.create_table(
        "report_comments",
        sa.Column("survey_response_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["survey_response_id"], ["survey_responses.id"],
                                ondelete="CASCADE"),  # fmt: skip
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("survey_response_id"),
    )
    op.execute(
        "INSERT INTO report_comments (survey_response_id, ticket_id, agency_id, unit_id, "
        "responded_at) SELECT s.id, t.id, t.agency_id, t.unit_id, s.responded_at "
        "FROM survey_responses s JOIN tickets t ON t.id = s.ticket_id "
        "WHERE s.responded_at IS NOT NULL AND length(s.comment) > 0"
    )
    op.create_index(
        "ix_report_comments_agency_responded", "report_comments", ["agency_id", "responded_at"]
    )
    op.create_index("ix_report_comments_ticket", "report_comments", ["ticket_id"])
    op.create_index(
        RECEIVED,
        "tickets",
        ["agency_id", "received_at"],
        postgresql_where=sa.text(OPEN_STATUS_SQL),
        sqlite_where=sa.text(OPEN_STATUS_SQL),
    )
    op.create_index(
        UNTOUCHED,
        "tickets",
        ["agency_id", sa.text("coalesce(last_officer_action_at, received_at)"), "id"],
        postgresql_where=sa.text(OPEN_STATUS_SQL),
        sqlite_where=sa.text(OPEN_STATUS_SQL),
    )


def downgrade() -> None:
    op.drop_index(UNTOUCHED, table_name="tickets")
    op.drop_index(RECEIVED, table_name="tickets")
    op.drop_index("ix_report_comments_ticket", table_name="report_comments")
    op.drop_index("ix_report_comments_agency_responded", table_name="report_comments")
    op.drop_table("report_comments")
