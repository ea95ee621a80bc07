"""Reports benchmark (issue #15): the dashboard at 100,000 and at 1,000,000 tickets (with their
events and survey ratings) in PostgreSQL, in the same run.

National scale is modelled as more agencies of the same size: every agency gets TICKETS_PER
agency tickets over two years (5 units in 3 states, 4 categories, 5 channels, 3 types), so
100k tickets = 10 agencies and 1M = 100 agencies. Per ticket: an acknowledgement and (for
three in four) a resolution as status_changed events, a close for half, one rating for a
third of the resolved (each with a comment, filed in ``report_comments`` as the product files
it), a breach alert for one in ten. Seeded with SQL (generate_series), the rollups built by
one set-based SQL per source (checked against ``rollups.rebuild_day`` on sample days before
measuring).

Measured server-side, in-process, 30 runs each, for one agency over the last month and over
the last year: ``figures.compute`` (every compliance, volume, recovery and satisfaction figure,
overall and per unit/officer/category/channel/state/type/complexity, with the live pending
part), the whole dashboard (``dashboard.build``: both periods, open book, workload, comments),
and the naive GROUP BY over the raw tables for the same figures as ``figures.compute``.
Then the monthly PDF's generation time at 1M.
Usage: .venv/bin/python bench/reports.py [--per-agency 10000] [--only-first] [--keep]
For iterating: ``--only-first --keep`` once, then ``--reuse`` (measure again, after migrating the
kept database to head) or ``--reuse --profile 30`` (a cProfile of one month's dashboard).
ADUAN_BENCH_DB names the database (aduan_bench_reports).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import demo_app, drop_database, percentile  # noqa: E402

RUNS = 30
WARM_UP = 3
TICKET_COLUMN = {"channel": "origin_channel", "ticket_type": "type"}  # rollup → ticket
ZONE = "Asia/Kuala_Lumpur"
AGENCIES = """
INSERT INTO agencies (code, name, state_code, office_open, office_close, settings, created_at)
SELECT 'BR' || g, 'Agensi Bangku ' || g, '10', '08:00', '17:00', '{}', now()
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
"""
UNITS = """
INSERT INTO units (agency_id, code, name, state_code, active)
SELECT a.id, 'U' || u, 'Unit ' || u || ' ' || a.code, (ARRAY['10','02','01'])[1 + u % 3], true
FROM agencies a, generate_series(1, 5) AS u WHERE a.code LIKE 'BR%' AND NOT EXISTS
    (SELECT 1 FROM units x WHERE x.agency_id = a.id)
"""
CATEGORIES = """
INSERT INTO categories (agency_id, code, name_ms, name_en, active)
SELECT a.id, 'K' || c, 'Kategori ' || c, 'Category ' || c, true
FROM agencies a, generate_series(1, 4) AS c WHERE a.code LIKE 'BR%' AND NOT EXISTS
    (SELECT 1 FROM categories x WHERE x.agency_id = a.id)
"""
TICKETS = """
WITH a AS (
    SELECT ag.id, array_agg(DISTINCT u.id) AS units, array_agg(DISTINCT c.id) AS cats
    FROM agencies ag JOIN units u ON u.agency_id = ag.id JOIN categories c ON c.agency_id = ag.id
    WHERE ag.code LIKE 'BR%' AND ag.id >= :min_agency GROUP BY ag.id
), t AS (
    SELECT a.id AS agency_id, a.units, a.cats, g,
        now() - (g % 730) * interval '1 day' - (g % 600) * interval '1 minute' AS received
    FROM a, generate_series(1, CAST(:per AS integer)) AS g
)
INSERT INTO tickets (reference, agency_id, type, status, complexity, unit_id, category_id,
    origin_channel, subject, description, language, state_code, received_at,
    acknowledge_due_at, first_response_due_at, resolve_due_at, acknowledged_at,
    first_responded_at, resolved_at, closed_at, sla_paused_seconds, created_at, updated_at,
    version)
SELECT 'BR-' || agency_id || '-' || g, agency_id, (ARRAY['aduan','pertanyaan','cadangan'])[1 + g % 3],
    CASE WHEN g % 4 = 0 THEN 'dalam_tindakan' WHEN g % 2 = 0 THEN 'selesai' ELSE 'ditutup' END,
    'biasa', units[1 + g % 5], cats[1 + g % 4],
    (ARRAY['sms','email','web','whatsapp','counter'])[1 + g % 5], 'Aduan ' || g, 'Keterangan',
    'ms', '10', received, received + interval '1 day', received + interval '7 days',
    received + interval '21 days', received + (g % 40) * interval '1 hour',
    received + (g % 9) * interval '1 day',
    CASE WHEN g % 4 = 0 THEN NULL ELSE received + (g % 25) * interval '1 day' END,
    CASE WHEN g % 4 = 0 OR g % 2 = 0 THEN NULL ELSE received + (g % 25 + 2) * interval '1 day' END,
    0, received, received, 1
FROM t
"""
EVENTS = """
INSERT INTO ticket_events (ticket_id, actor_kind, kind, before, after, data, created_at)
SELECT id, 'officer', 'status_changed', '{"status": "baharu"}'::jsonb, '{"status": "diterima"}'::jsonb, '{}'::jsonb,
    acknowledged_at FROM tickets WHERE id > :after
UNION ALL
SELECT id, 'officer', 'status_changed', '{"status": "dalam_tindakan"}'::jsonb, '{"status": "selesai"}'::jsonb,
    '{}'::jsonb, resolved_at FROM tickets WHERE id > :after AND resolved_at IS NOT NULL
UNION ALL
SELECT id, 'officer', 'status_changed', '{"status": "selesai"}'::jsonb, '{"status": "ditutup"}'::jsonb, '{}'::jsonb,
    closed_at FROM tickets WHERE id > :after AND closed_at IS NOT NULL
"""
SURVEYS = """
INSERT INTO survey_responses (ticket_id, resolved_at, requested_at, rating, comment,
    responded_at)
SELECT id, resolved_at, resolved_at, CASE WHEN id % 2 = 0 THEN 1 + id % 5 END,
    CASE WHEN id % 6 = 0 THEN 'Ulasan ' || id END,
    CASE WHEN id % 2 = 0 THEN resolved_at + interval '3 hours' END
FROM tickets WHERE id > :after AND resolved_at IS NOT NULL AND id % 3 = 0
"""
COMMENTS = """
INSERT INTO report_comments (survey_response_id, ticket_id, agency_id, unit_id, responded_at)
SELECT s.id, t.id, t.agency_id, t.unit_id, s.responded_at
FROM survey_responses s JOIN tickets t ON t.id = s.ticket_id
WHERE t.id > :after AND s.responded_at IS NOT NULL AND length(s.comment) > 0
"""
ALERTS = """
INSERT INTO sla_alerts (ticket_id, deadline_field, kind, level, deadline_at, created_at)
SELECT id, 'resolve_due_at', 'breach', 0, resolve_due_at, resolve_due_at
FROM tickets WHERE id > :after AND id % 10 = 0 AND resolve_due_at < now()
"""
DIMS = ("t.unit_id, t.category_id, t.origin_channel, t.type, t.complexity, "
        "coalesce(t.state_code, ''), t.assignee_id")  # fmt: skip
COLS = "unit_id, category_id, channel, ticket_type, complexity, state_code, assignee_id"
LOCAL = f"(({{}}) AT TIME ZONE '{ZONE}')::date"
BULK_ROLLUPS = [
    f"""INSERT INTO report_rollups (agency_id, day, {COLS}, received, ack_met, ack_judged,
        first_met, first_judged, resolve_met, resolve_judged)
    SELECT t.agency_id, {LOCAL.format("t.received_at")}, {DIMS}, count(*),
        count(*) FILTER (WHERE t.merged_into_id IS NULL AND t.acknowledged_at <= t.acknowledge_due_at),
        count(*) FILTER (WHERE t.merged_into_id IS NULL AND t.acknowledge_due_at IS NOT NULL AND
            (t.acknowledged_at IS NOT NULL OR t.status <> ALL(:open))),
        count(*) FILTER (WHERE t.merged_into_id IS NULL AND t.first_responded_at <= t.first_response_due_at),
        count(*) FILTER (WHERE t.merged_into_id IS NULL AND t.first_response_due_at IS NOT NULL AND
            (t.first_responded_at IS NOT NULL OR t.status <> ALL(:open))),
        count(*) FILTER (WHERE t.merged_into_id IS NULL AND t.resolved_at <= t.resolve_due_at),
        count(*) FILTER (WHERE t.merged_into_id IS NULL AND t.resolve_due_at IS NOT NULL AND
            (t.resolved_at IS NOT NULL OR t.status <> ALL(:open)))
    FROM tickets t WHERE t.id > :after GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9""",
    f"""INSERT INTO report_rollups (agency_id, day, {COLS}, resolved, closed, reopened)
    SELECT t.agency_id, {LOCAL.format("e.created_at")}, {DIMS},
        count(*) FILTER (WHERE e.after->>'status' IN ('selesai','luar_bidang_kuasa','tiada_tindakan_lanjut')),
        count(*) FILTER (WHERE e.after->>'status' = 'ditutup'),
        count(*) FILTER (WHERE e.after->>'status' = 'dibuka_semula')
    FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
    WHERE t.id > :after AND e.kind = 'status_changed' GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9""",
    f"""INSERT INTO report_rollups (agency_id, day, {COLS}, breach_resolve)
    SELECT t.agency_id, {LOCAL.format("s.created_at")}, {DIMS}, count(*)
    FROM sla_alerts s JOIN tickets t ON t.id = s.ticket_id
    WHERE t.id > :after AND s.kind = 'breach' AND s.level = 0 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9""",
    f"""INSERT INTO report_rollups (agency_id, day, {COLS}, surveys)
    SELECT t.agency_id, {LOCAL.format("s.requested_at")}, {DIMS}, count(*)
    FROM survey_responses s JOIN tickets t ON t.id = s.ticket_id
    WHERE t.id > :after GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9""",
    f"""INSERT INTO report_rollups (agency_id, day, {COLS}, responses, rating_sum, rating_1,
        rating_2, rating_3, rating_4, rating_5, comments)
    SELECT t.agency_id, {LOCAL.format("s.responded_at")}, {DIMS}, count(*), sum(s.rating),
        count(*) FILTER (WHERE s.rating = 1), count(*) FILTER (WHERE s.rating = 2),
        count(*) FILTER (WHERE s.rating = 3), count(*) FILTER (WHERE s.rating = 4),
        count(*) FILTER (WHERE s.rating = 5), count(*) FILTER (WHERE s.comment <> '')
    FROM survey_responses s JOIN tickets t ON t.id = s.ticket_id
    WHERE t.id > :after AND s.rating IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9""",
]
# The sources above land in separate rows; one row per key, as rebuild_day writes them.
MERGE_ROWS = f"""
CREATE TEMP TABLE merged AS SELECT agency_id, day, {COLS},
    {
    ", ".join(
        f"sum({c}) AS {c}"
        for c in (
            "received",
            "ack_met",
            "ack_judged",
            "first_met",
            "first_judged",
            "resolve_met",
            "resolve_judged",
            "resolved",
            "closed",
            "reopened",
            "breach_resolve",
            "surveys",
            "responses",
            "rating_sum",
            "rating_1",
            "rating_2",
            "rating_3",
            "rating_4",
            "rating_5",
            "comments",
        )
    )
}
FROM report_rollups GROUP BY agency_id, day, {COLS};
TRUNCATE report_rollups;
INSERT INTO report_rollups (agency_id, day, {COLS}, received, ack_met, ack_judged, first_met,
    first_judged, resolve_met, resolve_judged, resolved, closed, reopened, breach_resolve,
    surveys, responses, rating_sum, rating_1, rating_2, rating_3, rating_4, rating_5, comments)
SELECT * FROM merged WHERE received + ack_judged + first_judged + resolve_judged + resolved
    + closed + reopened + breach_resolve + surveys + responses > 0; DROP TABLE merged;
"""  # noqa: S608


def seed(db, text, first: int, last: int, per: int) -> float:
    started = time.monotonic()
    after = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM tickets"))
    min_agency = db.session.scalar(text("SELECT coalesce(max(id), 0) + 1 FROM agencies"))
    db.session.execute(text(AGENCIES), {"first": first, "last": last})
    db.session.execute(text(UNITS))
    db.session.execute(text(CATEGORIES))
    db.session.execute(text(TICKETS), {"per": per, "min_agency": min_agency})
    for sql in (EVENTS, SURVEYS, COMMENTS, ALERTS):
        db.session.execute(text(sql), {"after": after})
    db.session.commit()
    from aduan.services.reports.rollups import OPEN

    for sql in BULK_ROLLUPS:
        db.session.execute(text(sql), {"after": after, "open": OPEN})
    for statement in MERGE_ROWS.split(";"):
        if statement.strip():
            db.session.execute(text(statement))
    db.session.execute(text("DELETE FROM report_dirty_tickets"))
    db.session.commit()
    db.session.execute(text("VACUUM ANALYZE") if False else text("ANALYZE"))
    db.session.commit()
    return time.monotonic() - started


def check_bulk_equals_rebuild(db, text, agency_id: int) -> None:
    """Rebuild sample days with the product's own rebuild_day: their rows must not change."""
    from aduan.services.reports import rollups
    from aduan.services.sla.clock import local_today

    today = local_today()
    for back in (3, 40, 200):
        day = today - dt.timedelta(days=back)
        query = text("SELECT sum(received), sum(ack_met), sum(resolved), sum(closed), "
                     "sum(responses), sum(rating_sum), sum(breach_resolve) "
                     "FROM report_rollups WHERE agency_id = :a AND day = :d")  # fmt: skip
        before = tuple(db.session.execute(query, {"a": agency_id, "d": day}).one())
        rollups.rebuild_day(agency_id, day)
        after = tuple(db.session.execute(query, {"a": agency_id, "d": day}).one())
        db.session.commit()
        assert before == after, (day, before, after)


def timed(fn) -> dict:
    """p50 and p95 of RUNS calls, after WARM_UP calls that are not counted (the first calls
    of a size compile SQL and fill the caches). As ``timeit`` does, the garbage of earlier
    calls is collected between calls, outside the timing: a p95 of 30 runs is the second
    slowest, and one collection of the previous size's objects landing in a run is noise
    in the 1M / 100k ratio, not the cost of the figures."""
    for _ in range(WARM_UP):
        fn()
    samples = []
    for _ in range(RUNS):
        gc.collect()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return {"p50": statistics.median(samples), "p95": percentile(samples, 95)}


def measure(db, agency_id: int) -> dict:
    from aduan.services.reports import dashboard, figures
    from aduan.services.reports.scope import Period, Scope
    from aduan.services.sla.clock import local_today
    from tests.services.test_report_rollups import direct

    today = local_today()
    scope = Scope(agency_id, "bench")
    now = dt.datetime.now(dt.UTC)
    results = {}
    for label, days in (("month", 30), ("year", 365)):
        period = Period(today - dt.timedelta(days=days - 1), today)

        def naive(period=period):
            direct(agency_id, period, now)
            for column in figures.BREAKDOWNS.values():
                direct(agency_id, period, now, group=TICKET_COLUMN.get(column, column))

        results[label] = {
            "figures": timed(lambda period=period: figures.compute(scope, period, now)),
            "dashboard": timed(lambda period=period: dashboard.build([scope], period, now=now)),
            "naive": timed(naive),
        }
        db.session.rollback()
    return results


def pdf_seconds(agency_id: int) -> float:
    from aduan.extensions import db
    from aduan.models import Agency
    from aduan.services.reports import monthly

    agency = db.session.get(Agency, agency_id)
    started = time.perf_counter()
    data = monthly.agency_pdf(agency, monthly.last_month(dt.date.today()))
    assert data.startswith(b"%PDF")
    return time.perf_counter() - started


def profile(agency_id: int, days: int) -> None:
    """cProfile of one ``dashboard.build`` (after a warm-up), the 25 costliest calls."""
    import cProfile
    import pstats

    from aduan.services.reports import dashboard
    from aduan.services.reports.scope import Period, Scope
    from aduan.services.sla.clock import local_today

    today = local_today()
    period = Period(today - dt.timedelta(days=days - 1), today)
    scope = Scope(agency_id, "bench")
    dashboard.build([scope], period)
    profiler = cProfile.Profile()
    profiler.runcall(dashboard.build, [scope], period)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-agency", type=int, default=10_000)
    parser.add_argument("--only-first", action="store_true", help="stop after 10 agencies")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the database a --keep run left (migrated to head)")  # fmt: skip
    parser.add_argument("--profile", type=int, metavar="DAYS",
                        help="only print a cProfile of one dashboard over DAYS days")  # fmt: skip
    args = parser.parse_args()
    name = os.environ.get("ADUAN_BENCH_DB", "aduan_bench_reports")
    app = demo_app(name, reuse=args.reuse)
    out = {}
    try:
        with app.app_context():
            from sqlalchemy import text

            from aduan.extensions import db

            sizes = ((10, 1),) if args.only_first or args.reuse else ((10, 1), (100, 11))
            for total_agencies, first in sizes:
                seconds = 0.0
                if not args.reuse:
                    seconds = seed(db, text, first, total_agencies, args.per_agency)
                tickets = db.session.scalar(text("SELECT count(*) FROM tickets"))
                agency_id = db.session.scalar(text("SELECT id FROM agencies WHERE code = 'BR1'"))
                if args.profile:
                    profile(agency_id, args.profile)
                    return 0
                check_bulk_equals_rebuild(db, text, agency_id)
                rows = db.session.scalar(text("SELECT count(*) FROM report_rollups"))
                print(f"seeded {tickets} tickets in {seconds:.0f} s; {rows} rollup rows")
                out[tickets] = measure(db, agency_id)
                print(out[tickets], flush=True)
            out["pdf_seconds"] = pdf_seconds(agency_id)
            db.session.remove()
            db.engine.dispose()
    finally:
        if not args.keep:
            drop_database(name)
    report(out)
    return 0


def report(out: dict) -> None:
    sizes = [k for k in out if isinstance(k, int)]
    print(
        "| tickets | period | figures p50 / p95 ms | dashboard p50 / p95 ms | naive p50 / p95 ms "
        "| naive ÷ figures (p95) | naive ÷ dashboard (p95) |"
    )
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        for label in ("month", "year"):
            r = out[n][label]
            ratio = r["naive"]["p95"] / r["figures"]["p95"]
            whole = r["naive"]["p95"] / r["dashboard"]["p95"]
            print(
                f"| {n:,} | {label} | {r['figures']['p50']:.1f} / {r['figures']['p95']:.1f} | "
                f"{r['dashboard']['p50']:.1f} / {r['dashboard']['p95']:.1f} | "
                f"{r['naive']['p50']:.1f} / {r['naive']['p95']:.1f} | {ratio:.1f}× | {whole:.1f}× |"
            )
    if len(sizes) == 2:
        small, big = sorted(sizes)
        for label in ("month", "year"):
            for part in ("figures", "dashboard"):
                ratio = out[big][label][part]["p95"] / out[small][label][part]["p95"]
                print(f"{label} {part}: p95 at {big:,} ÷ p95 at {small:,} = {ratio:.2f}")
    print(f"monthly PDF at the largest size: {out['pdf_seconds']:.2f} s")


if __name__ == "__main__":
    raise SystemExit(main())
