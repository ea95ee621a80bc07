"""citizen side: verification codes, satisfaction survey, charter

Revision ID: 0007_citizen
Revises: 0006_admin
"""

import sqlalchemy as sa
from alembic import op

from aduan.models.base import UTCDateTime

revision = "0007_citizen"
down_revision = "0006_admin"
branch_labels = None
depends_on = None


def _ticket_fk(name):
    return sa.ForeignKeyConstraint(
        ["ticket_id"], ["tickets.id"], name=f"fk_{name}_ticket_id_tickets", ondelete="CASCADE"
    )


def upgrade():
    op.create_table(
        "contact_checks",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("salt", sa.String(32), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _ticket_fk("contact_checks"),
        sa.PrimaryKeyConstraint("ticket_id", name="pk_contact_checks"),
    )
    op.create_table(
        "verification_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _ticket_fk("verification_codes"),
        sa.PrimaryKeyConstraint("id", name="pk_verification_codes"),
    )
    op.create_index(
        "ix_verification_codes_ticket_created",
        "verification_codes",
        ["ticket_id", "created_at"],
    )
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("responded_at", UTCDateTime(), nullable=True),
        sa.Column("objected_at", UTCDateTime(), nullable=True),
        sa.Column("objection_reason", sa.Text(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        _ticket_fk("survey_responses"),
        sa.PrimaryKeyConstraint("id", name="pk_survey_responses"),
        sa.UniqueConstraint(
            "ticket_id", "resolved_at", name="uq_survey_responses_ticket_id_resolved_at"
        ),
    )


def downgrade():
    op.drop_table("survey_responses")
    op.drop_index("ix_verification_codes_ticket_created", table_name="verification_codes")
    op.drop_table("verification_codes")
    op.drop_table("contact_checks")
