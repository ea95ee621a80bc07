"""routing rules, duty roster, SLA alerts, notifications, service recovery

Revision ID: 0004_routing_sla
Revises: 0003_intake_threading
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision = "0004_routing_sla"
down_revision = "0003_intake_threading"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
OPEN = sa.text(
    "status IN ('baharu', 'diterima', 'dalam_tindakan', 'menunggu_pengadu', "
    "'dipanjangkan', 'dibuka_semula')"
)


def _when() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def _fk(table: str, column: str, target: str, **kw) -> sa.ForeignKeyConstraint:
    name = op.f(f"fk_{table}_{column}_{target}")
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=name, **kw)


def upgrade():
    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("conditions", JSON, nullable=False),
        sa.Column("actions", JSON, nullable=False),
        _when(),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("routing_rules", "agency_id", "agencies", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
    )
    op.create_index("ix_routing_rules_agency_position", "routing_rules", ["agency_id", "position"])
    op.create_table(
        "roster_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        _fk("roster_exceptions", "officer_id", "officers", ondelete="CASCADE"),
        _fk("roster_exceptions", "unit_id", "units", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_exceptions")),
        sa.UniqueConstraint(
            "unit_id", "officer_id", "day", name=op.f("uq_roster_exceptions_unit_id_officer_id_day")
        ),
    )
    op.create_index(op.f("ix_roster_exceptions_day"), "roster_exceptions", ["day"])
    op.create_table(
        "roster_patterns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        _fk("roster_patterns", "officer_id", "officers", ondelete="CASCADE"),
        _fk("roster_patterns", "unit_id", "units", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_patterns")),
        sa.UniqueConstraint(
            "unit_id",
            "officer_id",
            "weekday",
            name=op.f("uq_roster_patterns_unit_id_officer_id_weekday"),
        ),
    )
    op.create_index(op.f("ix_roster_patterns_unit_id"), "roster_patterns", ["unit_id"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("title_ms", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=True),
        _when(),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        _fk("notifications", "officer_id", "officers", ondelete="CASCADE"),
        _fk("notifications", "ticket_id", "tickets"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key")),
    )
    op.create_index("ix_notifications_officer_read", "notifications", ["officer_id", "read_at"])
    op.create_table(
        "service_recoveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("deadline_field", sa.String(length=32), nullable=False),
        sa.Column("promised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("breached_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("how_late_seconds", sa.Integer(), nullable=False),
        sa.Column("acted_by_id", sa.Integer(), nullable=True),
        sa.Column("apology", sa.Text(), nullable=False),
        sa.Column("new_date", sa.Date(), nullable=True),
        _when(),
        _fk("service_recoveries", "acted_by_id", "officers"),
        _fk("service_recoveries", "ticket_id", "tickets"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_recoveries")),
        sa.UniqueConstraint(
            "ticket_id",
            "deadline_field",
            "promised_at",
            name=op.f("uq_service_recoveries_ticket_id_deadline_field_promised_at"),
        ),
    )
    op.create_table(
        "sla_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("deadline_field", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        _when(),
        _fk("sla_alerts", "ticket_id", "tickets"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_alerts")),
        sa.UniqueConstraint(
            "ticket_id",
            "deadline_field",
            "deadline_at",
            "kind",
            "level",
            name=op.f("uq_sla_alerts_ticket_id_deadline_field_deadline_at_kind_level"),
        ),
    )
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.add_column(
            sa.Column("sla_next_check_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_tickets_sla_next_check",
            ["sla_next_check_at"],
            postgresql_where=OPEN,
            sqlite_where=OPEN,
        )


def downgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_index("ix_tickets_sla_next_check")
        batch_op.drop_column("sla_next_check_at")
    op.drop_table("sla_alerts")
    op.drop_table("service_recoveries")
    op.drop_index("ix_notifications_officer_read", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index(op.f("ix_roster_patterns_unit_id"), table_name="roster_patterns")
    op.drop_table("roster_patterns")
    op.drop_index(op.f("ix_roster_exceptions_day"), table_name="roster_exceptions")
    op.drop_table("roster_exceptions")
    op.drop_index("ix_routing_rules_agency_position", table_name="routing_rules")
    op.drop_table("routing_rules")
