"""Officers' account security (issue #17 item 4): signed-in devices, password-reset tokens,
two-factor (TOTP) secret and recovery codes.

Revision ID: 0030_accounts_security
Revises: 0029_inbox_officer_desk
"""

from alembic import op
import sqlalchemy as sa

revision = "0030_accounts_security"
down_revision = "0029_inbox_officer_desk"
branch_labels = None
depends_on = None


def _owner_columns():
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "agency_id", sa.Integer(), sa.ForeignKey("agencies.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "officer_id", sa.Integer(), sa.ForeignKey("officers.id", ondelete="CASCADE"),
            nullable=False, index=True,
        ),
    ]  # fmt: skip


def upgrade():
    with op.batch_alter_table("officers") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.create_table(
        "officer_sessions",
        *_owner_columns(),
        sa.Column("key_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "password_resets",
        *_owner_columns(),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "officer_recovery_codes",
        *_owner_columns(),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("officer_recovery_codes")
    op.drop_table("password_resets")
    op.drop_table("officer_sessions")
    with op.batch_alter_table("officers") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_enabled_at")
        batch.drop_column("totp_secret")
