"""The tables intake reads, grown with set-based SQL: one processed complaint's rows copied N
times (complainants, contact identities, inbound events, tickets — 60% open —, messages and
outbound rows), each copy its own sender, reference and provider ids.

Shared by ``tests/services/test_intake_flat_cost.py`` (100,000 copies: the statements and
plans of one complaint are the same at 0 and there) and ``bench/ingest.py``'s cost phase
(1,000,000 copies: the per-complaint time at N ÷ at 0). Works on a SQLAlchemy ``Session`` or
``Connection``; column lists are read from the catalogue, so a new column is copied without a
change here. The caller commits.
"""

from __future__ import annotations

from sqlalchemy import text

# In foreign-key order. Copy g of a row takes id (the table's max id) + g; c, t, e and m are
# the copy's complainant, ticket, inbound event and message.
TABLES = (
    "complainants",
    "contact_identities",
    "inbound_events",
    "tickets",
    "messages",
    "outbound_messages",
)
OVERRIDES = {
    "contact_identities": {"handle": "'+6019' || lpad(g::text, 7, '0')", "complainant_id": "c"},
    "inbound_events": {"provider_id": "'SEED' || g", "sender_key": "md5(g::text)"},
    "tickets": {
        "reference": "'SEED-' || g",
        "complainant_id": "c",
        "status": "CASE WHEN g % 5 < 3 THEN status ELSE 'ditutup' END",  # 60% open
    },
    "messages": {"ticket_id": "t", "provider_id": "'SEED' || g", "inbound_event_id": "e"},
    "outbound_messages": {"ticket_id": "t", "provider_id": "'SEEDOUT' || g", "message_id": "m"},
}
# ``spread``: the copied tickets go round the agency's active officers, each in one of their
# units (officer_units), as routing and the duty roster would spread them.
SPREAD_OVERRIDES = {
    "unit_id": "coalesce(spread.units[1 + g % spread.n], unit_id)",
    "assignee_id": "coalesce(spread.officers[1 + g % spread.n], assignee_id)",
}
SPREAD_FROM = """, (
    SELECT array_agg(ou.unit_id ORDER BY ou.officer_id, ou.unit_id) AS units,
        array_agg(ou.officer_id ORDER BY ou.officer_id, ou.unit_id) AS officers,
        greatest(count(*), 1)::integer AS n
    FROM officer_units ou JOIN officers o ON o.id = ou.officer_id
    WHERE o.active AND o.agency_id = (SELECT agency_id FROM tickets WHERE id = :id)) AS spread"""
# Each officer's kept open count (``aduan.services.tickets.loads``) set from the tickets, as
# its reconcile job would: the seeding writes behind the ORM's back.
OPEN_COUNTS = """
UPDATE officers o SET open_ticket_count = counted.n FROM (
    SELECT officers.id, count(t.id) AS n FROM officers
    LEFT JOIN tickets t ON t.assignee_id = officers.id AND t.status = ANY(:open)
    GROUP BY officers.id) AS counted
WHERE counted.id = o.id AND o.open_ticket_count <> counted.n
"""


def template_rows(conn) -> dict[str, int]:
    """The ids of the first complaint's rows, by table: its ticket, complainant, first
    inbound message and that message's event, the complainant's first identity and the
    ticket's first outbound row (its acknowledgement)."""
    ticket, complainant, message, event = conn.execute(
        text(
            "SELECT t.id, t.complainant_id, m.id, m.inbound_event_id FROM tickets t"
            " JOIN messages m ON m.ticket_id = t.id AND m.direction = 'in'"
            " ORDER BY t.id, m.id LIMIT 1"
        )
    ).one()
    identity = conn.scalar(
        text("SELECT min(id) FROM contact_identities WHERE complainant_id = :c"), {"c": complainant}
    )
    outbound = conn.scalar(
        text("SELECT min(id) FROM outbound_messages WHERE ticket_id = :t"), {"t": ticket}
    )
    return {
        "complainants": complainant,
        "contact_identities": identity,
        "inbound_events": event,
        "tickets": ticket,
        "messages": message,
        "outbound_messages": outbound,
    }


def copy_complaint(
    conn, template: dict[str, int], n: int, *, spread: bool = False, rebuild_indexes: bool = False
) -> None:
    """Insert ``n`` copies of the complaint whose row ids ``template`` gives (``template_rows``).

    ``spread``: the tickets go round the agency's officers and their units, and every
    officer's open count is set from the tickets afterwards. ``rebuild_indexes``: each
    table's secondary indexes are dropped before its copy and created again from their own
    definitions after it (faster at a million rows; the statistics the drop loses come back
    with ``ANALYZE`` — not for a caller that measures plans on stale statistics)."""
    bases = {t: conn.scalar(text(f"SELECT coalesce(max(id), 0) FROM {t}")) for t in TABLES}
    offsets = {
        "c": f"{bases['complainants']} + g",
        "t": f"{bases['tickets']} + g",
        "e": f"{bases['inbound_events']} + g",
        "m": f"{bases['messages']} + g",
    }
    for table in TABLES:
        indexes = _drop_secondary_indexes(conn, table) if rebuild_indexes else []
        overrides = {
            **OVERRIDES.get(table, {}),
            **(SPREAD_OVERRIDES if spread and table == "tickets" else {}),
        }
        names = _columns(conn, table)
        values = []
        for name in names:
            value = overrides.get(name, name)
            value = offsets.get(value, value)
            values.append(f"{bases[table]} + g" if name == "id" else value)
        source = SPREAD_FROM if spread and table == "tickets" else ""
        conn.execute(
            text(
                f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(values)} "
                f"FROM {table}, generate_series(1, {int(n)}) g{source} WHERE {table}.id = :id"
            ),
            {"id": template[table]},
        )
        for definition in indexes:
            conn.execute(text(definition))
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        )
    if spread:
        set_open_counts(conn)


def set_open_counts(conn) -> None:
    """Every officer's ``open_ticket_count`` counted again from the tickets."""
    from aduan.vocabulary import OPEN_STATUSES

    conn.execute(text(OPEN_COUNTS), {"open": sorted(s.value for s in OPEN_STATUSES)})


def _columns(conn, table: str) -> list[str]:
    return list(
        conn.scalars(
            text(
                "SELECT column_name FROM information_schema.columns WHERE table_schema ="
                " current_schema() AND table_name = :t AND is_generated = 'NEVER'"
                " ORDER BY ordinal_position"
            ),
            {"t": table},
        )
    )


def _drop_secondary_indexes(conn, table: str) -> list[str]:
    """Drop ``table``'s indexes that back no constraint; their CREATE INDEX statements."""
    rows = conn.execute(
        text(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = CAST(:t AS regclass)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
        ),
        {"t": table},
    ).all()
    for name, _ in rows:
        conn.execute(text(f'DROP INDEX "{name}"'))
    return [definition for _, definition in rows]
