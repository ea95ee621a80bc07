"""bot_conversations.account_key: each agency's bot keeps its own state of one chat (the row
belongs to the agency owning the bot's account); unique per (channel, account_key, handle).
Rows in progress are kept, as the default account's.

Revision ID: 0026_bot_conversation_account
Revises: 0025_api_v1_tokens
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0026_bot_conversation_account"
down_revision = "0025_api_v1_tokens"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
COLUMNS = "id, channel, handle, step, data, language, created_at, updated_at"


def _table(name: str, unique: tuple[str, ...], with_account: bool, key: str | None) -> None:
    account = [sa.Column("account_key", sa.String(length=40), nullable=False)]
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        *(account if with_account else []),
        sa.Column("handle", sa.String(length=254), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(*unique, name=key),
    )


def upgrade():
    chat = ("channel", "account_key", "handle")
    _table("bot_conversations_new", chat, with_account=True, key="uq_bot_conversations_chat")
    op.execute(
        f"INSERT INTO bot_conversations_new ({COLUMNS}, account_key) "  # noqa: S608 (constants)
        f"SELECT {COLUMNS}, 'default' FROM bot_conversations"
    )
    op.drop_table("bot_conversations")
    op.rename_table("bot_conversations_new", "bot_conversations")
    _reset_id_sequence()


def downgrade():
    _table("bot_conversations_old", ("channel", "handle"), with_account=False, key=None)
    op.execute(  # one row per chat again: the default account's, else the most recent
        f"INSERT INTO bot_conversations_old ({COLUMNS}) SELECT {COLUMNS} FROM bot_conversations b "  # noqa: S608
        "WHERE NOT EXISTS (SELECT 1 FROM bot_conversations o WHERE o.channel = b.channel "
        "AND o.handle = b.handle AND o.updated_at > b.updated_at)"
    )
    op.drop_table("bot_conversations")
    op.rename_table("bot_conversations_old", "bot_conversations")
    _reset_id_sequence()


def _reset_id_sequence() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('bot_conversations', 'id'), "
            "coalesce((SELECT max(id) FROM bot_conversations), 0) + 1, false)"
        )
