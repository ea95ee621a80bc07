"""SLA sweep benchmark (issue #4): does the sweep cost grow with tickets due, not tickets open?

Generates tickets in PostgreSQL with generate_series — 60% open — of which 1,000 are past
their resolution deadline. Measures the sweep's selection query and the full sweep (1,000
tickets escalated, service recovery recorded) at 100,000 and at 1,000,000 tickets in the same
run, prints the ratio of the selection times (target <= 1.5), the 1M selection time (target
< 100 ms) and the query plans. Usage: .venv/bin/python bench/sweep.py [--large 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import demo_app, drop_database  # noqa: E402

OVERDUE = 1000
GENERATE = """
INSERT INTO tickets (reference, agency_id, type, status, complexity, unit_id, assignee_id,
    origin_channel, subject, description, language, state_code, received_at,
    acknowledge_due_at, first_response_due_at, resolve_due_at, acknowledged_at,
    first_responded_at, sla_paused_seconds, created_at, updated_at, version, sla_next_check_at)
SELECT 'BENCH-' || lpad(g::text, 8, '0'), :agency, 'aduan',
    CASE WHEN g % 10 < 6 THEN 'dalam_tindakan' ELSE 'ditutup' END, 'biasa', :unit, :officer,
    'sms', 'Tiket ujian ' || g, 'Lampu jalan rosak', 'ms', '10',
    now() - interval '2 days', now() - interval '1 day', now() + interval '5 days',
    now() + interval '20 days', now() - interval '40 hours', now() - interval '30 hours',
    0, now(), now(), 1,
    CASE WHEN g % 10 < 6 THEN now() + interval '2 days' + (g % 5000) * interval '1 minute' END
FROM generate_series(CAST(:start AS integer), CAST(:stop AS integer)) AS g
"""
MAKE_OVERDUE = """
UPDATE tickets SET received_at = now() - interval '40 days',
    resolve_due_at = now() - interval '3 days', sla_next_check_at = now() - interval '1 hour'
WHERE id IN (SELECT id FROM tickets WHERE status = 'dalam_tindakan' ORDER BY id LIMIT :n)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    args = parser.parse_args()
    name = "aduan_bench_sweep"
    app = demo_app(name)
    try:
        with app.app_context():
            results = run(args.small, args.large)
    finally:
        from aduan.extensions import db

        with app.app_context():
            db.engine.dispose()
        drop_database(name)
    report(results)
    return 0


def run(small: int, large: int) -> list[dict]:
    from aduan.extensions import db
    from aduan.models import Officer, Unit

    unit = db.session.scalar(db.select(Unit).where(Unit.code == "HQ-SGR"))
    officer = db.session.scalar(db.select(Officer).where(Officer.username == "pegawai"))
    ids = {"agency": unit.agency_id, "unit": unit.id, "officer": officer.id}
    results = []
    made = 0
    for size in (small, large):
        started = time.perf_counter()
        db.session.execute(db.text(GENERATE), {**ids, "start": made + 1, "stop": size})
        made = size
        _reset_overdue()
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(db.text("VACUUM ANALYZE tickets"))
        generated = time.perf_counter() - started
        results.append({"size": size, "generate_s": generated, **measure()})
    return results


def _reset_overdue() -> None:
    from aduan.extensions import db

    db.session.execute(
        db.text(
            "TRUNCATE sla_alerts, service_recoveries, notifications, outbound_messages, "
            "ticket_events"
        )
    )
    db.session.execute(db.text("UPDATE tickets SET sla_next_check_at = now() + interval '2 days' "
                               "WHERE sla_next_check_at < now()"))  # fmt: skip
    db.session.execute(db.text(MAKE_OVERDUE), {"n": OVERDUE})


def measure() -> dict:
    from aduan.extensions import db
    from aduan.models.base import utcnow
    from aduan.services.sla.sweeps import due_tickets_query, sweep_sla

    now = utcnow()
    query = due_tickets_query(now)
    times = []
    for _ in range(30):
        started = time.perf_counter()
        rows = db.session.scalars(query).all()
        times.append((time.perf_counter() - started) * 1000)
    db.session.rollback()
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = db.session.execute(db.text("EXPLAIN (ANALYZE, BUFFERS) " + sql)).scalars().all()
    db.session.rollback()
    open_count = db.session.scalar(
        db.text("SELECT count(*) FROM tickets WHERE status <> 'ditutup'")
    )
    started = time.perf_counter()
    counts = sweep_sla(now + dt.timedelta(seconds=1))
    sweep_s = time.perf_counter() - started
    return {
        "open": open_count,
        "selected": len(rows),
        "select_ms_median": statistics.median(times),
        "select_ms_p95": sorted(times)[int(0.95 * (len(times) - 1))],
        "plan": plan,
        "sweep_s": sweep_s,
        "counts": dict(counts),
    }


def report(results: list[dict]) -> None:
    small, large = results
    print("\n## SLA sweep benchmark (issue #4)\n")
    print(
        "| tickets | open | generated in | selection median | p95 | full sweep | what the sweep did |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in results:
        did = ", ".join(f"{k} {v}" for k, v in sorted(r["counts"].items()))
        print(f"| {r['size']:,} | {r['open']:,} | {r['generate_s']:.1f} s | "
              f"{r['select_ms_median']:.2f} ms | {r['select_ms_p95']:.2f} ms | "
              f"{r['sweep_s']:.1f} s | {did} |")  # fmt: skip
    ratio = large["select_ms_median"] / small["select_ms_median"]
    print(f"\nselection time ratio {large['size']:,} / {small['size']:,} tickets = {ratio:.2f} "
          f"(target <= 1.5); {large['size']:,}-ticket selection {large['select_ms_median']:.2f} ms "
          "(target < 100 ms)")  # fmt: skip
    for r in results:
        print(f"\nQuery plan at {r['size']:,} tickets:\n```")
        print("\n".join(r["plan"]))
        print("```")


if __name__ == "__main__":
    sys.exit(main())
