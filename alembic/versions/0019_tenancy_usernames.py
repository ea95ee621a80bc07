"""Usernames unique whatever their case (sign-in compares lower case): a unique index on
lower(username); existing clashes are resolved first by renaming every later duplicate with a
``-2``, ``-3`` … suffix, each rename reported in the migration's log and in the agency's
settings audit trail (``admin_audit_log``, entity ``officer``, action ``rename``)

Revision ID: 0019_tenancy_usernames
Revises: 0018_attachment_store
"""

import datetime as dt
import logging

import sqlalchemy as sa
from alembic import op

revision = "0019_tenancy_usernames"
down_revision = "0018_attachment_store"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
INDEX = "uq_officers_username_lower"


def upgrade():
    for officer_id, agency_id, old, new in _resolve_clashes(op.get_bind()):
        log.warning(
            "username clash resolved officer_id=%s agency_id=%s renamed %r -> %r",
            officer_id, agency_id, old, new,
        )  # fmt: skip
    op.create_index(INDEX, "officers", [sa.text("lower(username)")], unique=True)


def downgrade():
    op.drop_index(INDEX, table_name="officers")


def _resolve_clashes(conn) -> list[tuple[int, int, str, str]]:
    """Rename every officer whose lower-cased username an earlier officer already has."""
    rows = conn.execute(sa.text("SELECT id, agency_id, username FROM officers ORDER BY id")).all()
    taken = {username.lower() for _, _, username in rows}
    seen: set[str] = set()
    renamed = []
    for officer_id, agency_id, username in rows:
        if username.lower() not in seen:
            seen.add(username.lower())
            continue
        new = _free_name(username, taken)
        taken.add(new.lower())
        conn.execute(
            sa.text("UPDATE officers SET username = :new WHERE id = :id"),
            {"new": new, "id": officer_id},
        )
        _audit(conn, agency_id, officer_id, username, new)
        renamed.append((officer_id, agency_id, username, new))
    return renamed


def _free_name(username: str, taken: set[str]) -> str:
    n = 2
    while f"{username[:76]}-{n}".lower() in taken:
        n += 1
    return f"{username[:76]}-{n}"


def _audit(conn, agency_id: int, officer_id: int, old: str, new: str) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO admin_audit_log (agency_id, actor_id, entity, entity_id, action, "
            "before, after, created_at) VALUES (:agency, NULL, 'officer', :id, 'rename', "
            ":before, :after, :at)"
        ).bindparams(sa.bindparam("before", type_=sa.JSON), sa.bindparam("after", type_=sa.JSON)),
        {
            "agency": agency_id,
            "id": officer_id,
            "before": {"username": old},
            "after": {"username": new, "reason": "username_clash_case_insensitive"},
            "at": dt.datetime.now(dt.UTC),
        },
    )
