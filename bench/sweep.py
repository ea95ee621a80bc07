"""Benchmark: the SLA sweep's selection grows with the tickets due, not with the tickets open.

Loads 100,000 tickets (1,000 of them due a check), times the sweep's selection, grows the table
to 1,000,000 with tickets that are not due (open with a later check, or closed), times it
again, and prints both times, their ratio and the plan. Uses a throw-away database on the
test server (``ADUAN_TEST_PG_URL``); the full-text index is dropped there to load faster.

    .venv/bin/python -m bench.sweep [--total 1000000] [--due 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

NOW = dt.datetime(2026, 3, 24, 10, 0, tzinfo=dt.UTC)

INSERT = """
INSERT INTO tickets (reference, agency_id, type, status, complexity, unit_id, origin_channel,
    subject, description, language, received_at, sla_paused_seconds, created_at, updated_at,
    version, resolve_due_at, sla_next_check_at)
SELECT 'B-' || n, :agency, 'aduan',
       CASE WHEN n % 10 < 3 THEN 'ditutup' ELSE 'dalam_tindakan' END,
       'biasa', :unit, 'web', 'bench', 'bench', 'ms', :now - interval '10 days', 0,
       :now, :now, 1, :now + interval '5 days',
       CASE WHEN n % 10 < 3 THEN :now - interval '1 day'
            ELSE :now + (n % 5000 + 1) * interval '1 minute' END
FROM generate_series(:first, :last) AS n
"""
DUE = """
UPDATE tickets SET status = 'dalam_tindakan', sla_next_check_at = :now - interval '1 minute'
WHERE id IN (SELECT id FROM tickets WHERE reference LIKE 'B-%' ORDER BY id LIMIT :due)
"""


def load(db, agency_id: int, unit_id: int, first: int, last: int) -> None:
    params = {"agency": agency_id, "unit": unit_id, "now": NOW, "first": first, "last": last}
    db.session.execute(text(INSERT), params)
    db.session.commit()
    db.session.execute(text("ANALYZE tickets"))
    db.session.commit()


def time_selection(db, due: int, repeat: int = 30) -> tuple[float, int]:
    from aduan.services.sweeps import due_tickets_query

    query = due_tickets_query(NOW, limit=due)
    runs, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = len(db.session.scalars(query).all())
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), count


def explain(db, due: int) -> str:
    from aduan.services.sweeps import due_tickets_query

    compiled = due_tickets_query(NOW, limit=due).compile(
        db.engine, compile_kwargs={"literal_binds": True}
    )
    rows = db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")).scalars()
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from aduan.extensions import db
    from aduan.models import Agency, Unit
    from tests.conftest import create_database, drop_database, make_app

    name = "aduan_bench_sweep"
    app = make_app(create_database(name), Path(tempfile.mkdtemp()))
    try:
        with app.app_context():
            upgrade(directory="alembic")
            db.session.execute(text("DROP INDEX IF EXISTS ix_tickets_search"))
            agency = Agency(code="BENCH", name="Bench", state_code="10")
            db.session.add(agency)
            db.session.flush()
            unit = Unit(agency_id=agency.id, code="B", name="Bench", state_code="10")
            db.session.add(unit)
            db.session.commit()

            load(db, agency.id, unit.id, 1, args.small)
            db.session.execute(text(DUE), {"now": NOW, "due": args.due})
            db.session.commit()
            small, n_small = time_selection(db, args.due)
            load(db, agency.id, unit.id, args.small + 1, args.total)
            large, n_large = time_selection(db, args.due)
            print(f"selection at {args.small:,} tickets: {small * 1000:.2f} ms ({n_small} due)")
            print(f"selection at {args.total:,} tickets: {large * 1000:.2f} ms ({n_large} due)")
            print(f"ratio {args.total // args.small}x tickets -> {large / small:.2f}x time")
            print(explain(db, args.due))
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_database(name)


if __name__ == "__main__":
    main()
