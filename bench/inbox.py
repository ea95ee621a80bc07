"""Inbox benchmark (issue #5): queues and search with 1,000,000 tickets in PostgreSQL.

Measured server-side (the service functions the views call, in-process), 30 runs each:
the first page of every queue for an officer (one unit), a supervisor (unit + sub-units) and
a complaint manager (whole agency); search (two common words found together in 17% of
tickets, one common word, two common words never together, words in one message); the
per-queue counts. Baseline in the same run: the raw SQL of one page of the agency's open
tickets by deadline, served by its index.
Targets: first page p95 < 50 ms, search p95 < 200 ms.
Usage: .venv/bin/python bench/inbox.py [--tickets 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import demo_app, drop_database  # noqa: E402

EXTRA_UNITS = 20
RUNS = 30
WORDS = ["lampu", "jalan", "sampah", "longkang", "pokok", "bising", "air", "parkir", "lesen"]
GENERATE = """
WITH units AS (SELECT array_agg(id ORDER BY id) AS ids FROM units),
     officers AS (SELECT array_agg(id ORDER BY id) AS ids FROM officers)
INSERT INTO tickets (reference, agency_id, type, status, complexity, unit_id, assignee_id,
    origin_channel, subject, description, language, state_code, received_at,
    acknowledge_due_at, first_response_due_at, resolve_due_at, sla_paused_seconds,
    created_at, updated_at, version, sla_next_check_at)
SELECT 'INB-' || lpad(g::text, 8, '0'), :agency, 'aduan',
    (ARRAY['baharu','diterima','dalam_tindakan','dalam_tindakan','menunggu_pengadu',
           'dalam_tindakan','selesai','ditutup','ditutup','ditutup'])[1 + g % 10],
    'biasa', units.ids[1 + g % array_length(units.ids, 1)],
    CASE WHEN g % 7 = 0 THEN NULL ELSE officers.ids[1 + g % array_length(officers.ids, 1)] END,
    (ARRAY['sms','email','web','whatsapp','telegram'])[1 + g % 5],
    'Aduan ' || (ARRAY['lampu jalan rosak','sampah tidak dikutip','longkang tersumbat',
                       'pokok tumbang','bising malam','paip bocor'])[1 + g % 6] || ' ' || g,
    'Keterangan aduan nombor ' || g, 'ms', '10',
    now() - (g % 60) * interval '1 day', now() - (g % 60) * interval '1 day' + interval '1 day',
    now() - (g % 60) * interval '1 day' + interval '7 days',
    now() - (g % 60) * interval '1 day' + (15 + g % 11) * interval '1 day' + (g % 997) * interval '1 minute',
    0, now() - (g % 60) * interval '1 day', now() - (g % 60) * interval '1 day', 1,
    now() + interval '1 day'
FROM generate_series(1, CAST(:n AS integer)) AS g, units, officers
"""
# As in the product (a transfer unassigns): a ticket's assignee is an officer of its unit.
IN_UNIT_ASSIGNEES = """
UPDATE tickets SET assignee_id = NULL
WHERE assignee_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM officer_units ou
    WHERE ou.officer_id = tickets.assignee_id AND ou.unit_id = tickets.unit_id)
"""
MESSAGES = """
INSERT INTO messages (ticket_id, direction, channel, body, created_at)
SELECT id, 'in', origin_channel,
    'Mesej ' || id || ' tentang ' || (ARRAY['lampu','jalan','sampah','longkang','pokok',
    'bising','air','parkir','lesen'])[1 + id % 9] || ' di taman ' || (id % 5000), created_at
FROM tickets
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    name = "aduan_bench_inbox"
    app = demo_app(name)
    try:
        with app.app_context():
            generated = generate(args.tickets)
            results = measure()
            from aduan.extensions import db

            db.session.remove()
            db.engine.dispose()
    finally:
        drop_database(name)
    report(args.tickets, generated, results)
    return 0


def generate(n: int) -> float:
    from aduan.extensions import db
    from aduan.models import Agency, Unit

    started = time.perf_counter()
    agency = db.session.scalar(db.select(Agency))
    hq = db.session.scalar(db.select(Unit).where(Unit.code == "HQ-SGR"))
    for i in range(EXTRA_UNITS):
        db.session.add(
            Unit(agency_id=agency.id, code=f"B{i}", name=f"Unit {i}", state_code="10", parent=hq)
        )
    db.session.commit()
    db.session.execute(db.text(GENERATE), {"agency": agency.id, "n": n})
    db.session.execute(db.text(IN_UNIT_ASSIGNEES))
    db.session.execute(db.text(MESSAGES))
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(db.text("VACUUM ANALYZE"))
    return time.perf_counter() - started


def timed(fn) -> dict:
    fn()  # warm
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))]}


def measure() -> dict:
    from aduan.extensions import db
    from aduan.models import Officer
    from aduan.services.inbox import queries as iq

    people = {
        "officer": db.session.scalar(db.select(Officer).where(Officer.username == "pegawai")),
        "supervisor": db.session.scalar(db.select(Officer).where(Officer.username == "penyelia")),
        "manager": db.session.scalar(db.select(Officer).where(Officer.username == "pengurus")),
    }
    agency_id = people["manager"].agency_id
    baseline_sql = db.text(
        "SELECT * FROM tickets WHERE agency_id = :a AND status IN ('baharu', 'diterima', "
        "'dalam_tindakan', 'menunggu_pengadu', 'dipanjangkan', 'dibuka_semula') "
        "ORDER BY resolve_due_at, id LIMIT 26"
    )
    results: dict = {
        "baseline": timed(lambda: db.session.execute(baseline_sql, {"a": agency_id}).all())
    }
    ids = {role: officer.id for role, officer in people.items()}

    def fresh(role: str) -> Officer:
        """As in a request: a new session, the signed-in officer loaded again."""
        db.session.remove()
        return db.session.get(Officer, ids[role])

    for role in people:
        for queue in iq.QUEUES:
            results[f"{role}:{queue}"] = timed(
                lambda r=role, q=queue: iq.page(fresh(r), q, iq.Filters())
            )
        results[f"{role}:search"] = timed(
            lambda r=role: iq.page(fresh(r), "unit", iq.Filters(q="longkang tersumbat"))
        )
        results[f"{role}:search-one-word"] = timed(  # 17% of tickets, 11% of messages
            lambda r=role: iq.page(fresh(r), "unit", iq.Filters(q="longkang"))
        )
        results[f"{role}:search-rare-pair"] = timed(  # two common words, never together
            lambda r=role: iq.page(fresh(r), "unit", iq.Filters(q="longkang bocor"))
        )
        results[f"{role}:search-message-open"] = timed(
            lambda r=role: iq.page(fresh(r), "unit", iq.Filters(q="parkir taman 42"))
        )
        results[f"{role}:search-message"] = timed(
            lambda r=role: iq.page(fresh(r), "recently_closed", iq.Filters(q="parkir taman 42"))
        )
        results[f"{role}:counts"] = timed(lambda r=role: iq.queue_counts(fresh(r)))
    manager = fresh("manager")
    query = iq.queue_query(manager, "unit", iq.Filters(), iq.dt.datetime.now(iq.dt.UTC)).limit(26)
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    results["plan"] = db.session.execute(db.text("EXPLAIN (ANALYZE) " + sql)).scalars().all()
    return results


def report(n: int, generated: float, results: dict) -> None:
    base = results["baseline"]
    print(f"\n## Inbox benchmark (issue #5): {n:,} tickets and {n:,} messages, generated in "
          f"{generated:.0f} s\n")  # fmt: skip
    print(f"Baseline (raw SQL of the indexed first page: the agency's open tickets by deadline, 26 rows): "
          f"p50 {base['p50']:.2f} ms, p95 {base['p95']:.2f} ms\n")  # fmt: skip
    print("| role | queue / operation | p50 ms | p95 ms | p95 / baseline p95 | target |")
    print("|---|---|---|---|---|---|")
    for key, value in results.items():
        if key in ("baseline", "plan"):
            continue
        role, what = key.split(":")
        target = 200 if what.startswith("search") else 50
        verdict = "met" if value["p95"] < target else "MISSED"
        label = f"< {target} ms {verdict}"
        print(f"| {role} | {what} | {value['p50']:.1f} | {value['p95']:.1f} | "
              f"{value['p95'] / base['p95']:.1f} | {label} |")  # fmt: skip
    print("\nPlan of the manager's first page of the unit queue:\n```")
    print("\n".join(results["plan"]))
    print("```")


if __name__ == "__main__":
    sys.exit(main())
