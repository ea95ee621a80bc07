"""Intake benchmark (issues #3 and #19): PostgreSQL + Redis, gunicorn, this machine, one run.

Phases (``--phases``, default all):
- webhook: (a) raw baseline, a minimal Flask endpoint doing one INSERT + COMMIT on the same
  database; (b) signed Twilio SMS webhooks accepted per second, p50/p99, at several
  concurrencies, and p99 at half the peak rate (open loop); prints (b)/(a);
- e2e: webhook → ticket with deadlines, routed, acknowledgement queued, with 2 workers:
  messages/s and p50/p95 at an offered 100/s, and at ``--e2e-over-rate`` (capacity);
- backlog: the drain rate of a stored backlog, and the raw ceiling (2 non-forking RQ workers
  draining no-op jobs);
- burst: ``--burst-messages`` offered in ``--burst-seconds`` with 2 workers; per message, the
  time from its webhook's answer to its acknowledgement being queued (``ingest_burst``);
- cost: the per-complaint time at ``--seed-tickets`` existing tickets ÷ at 0
  (``ingest_cost``).
Ends with the #19 targets, met or missed, and the peak worker RSS. Needs `wrk` for the webhook
phase (apt-get install wrk). Usage: .venv/bin/python bench/ingest.py [--phases burst,cost]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import ingest_burst, ingest_cost  # noqa: E402
from bench.common import ROOT, drop_database, free_port, fresh_database, gunicorn  # noqa: E402
from bench.ingest_summary import report_classic, report_targets  # noqa: E402
from bench.ingest_traffic import (  # noqa: E402
    FLASK,
    QUEUE_PREFIX,
    REDIS_URL,
    SID,
    TOKEN,
    WEBHOOK,
    Workers,
    count,
    marks,
    open_loop,
    post_all,
    reset,
    run_wrk,
    signed_requests,
    wait_processed,
    write_requests,
)

PHASES = ("webhook", "e2e", "backlog", "burst", "cost")
WARM_MESSAGES = 200  # per e2e run, before the measured traffic (see ``end_to_end``)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated subset")
    parser.add_argument("--database", default="aduan_bench_ingest",
                        help="the database the run creates and drops (aduan_bench_*)")  # fmt: skip
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--concurrency", default="1,4,16,64")
    parser.add_argument("--e2e-seconds", type=int, default=20)
    # Above what two workers take on these machines (the no-op ceiling is 240-550 jobs/s), so
    # the phase measures the capacity, not the offered rate (180/s capped it at 0.33x of 540).
    parser.add_argument("--e2e-over-rate", type=int, default=300)
    parser.add_argument("--backlog-messages", type=int, default=3000)
    parser.add_argument("--burst-messages", type=int, default=10_000)
    parser.add_argument("--burst-seconds", type=float, default=60)
    parser.add_argument("--burst-timeout", type=float, default=1800,
                        help="seconds to wait for the burst's drain")  # fmt: skip
    parser.add_argument(
        "--burst-log",
        type=Path,
        help="per-message delays, tab-separated (default: a temp file; -: stdout)",
    )
    parser.add_argument("--seed-tickets", type=int, default=1_000_000)
    parser.add_argument("--cost-messages", type=int, default=2000)
    args = parser.parse_args()
    args.phase_set = {p.strip() for p in args.phases.split(",") if p.strip()}
    unknown = args.phase_set - set(PHASES)
    if unknown:
        parser.error(f"unknown phases {sorted(unknown)}; choose from {','.join(PHASES)}")
    if not args.database.startswith("aduan_bench"):
        parser.error("--database must start with aduan_bench (the run drops it)")
    return args


def prepare_database(name: str, env: dict) -> str:
    url = fresh_database(name)
    env["ADUAN_DATABASE_URL"] = url
    subprocess_run([*FLASK, "db", "upgrade"], env)
    subprocess_run([*FLASK, "demo", "seed", "--tickets", "0"], env)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bench_baseline (id bigserial primary key, provider_id text, payload text)"
        )
    return url


def subprocess_run(argv: list[str], env: dict) -> None:
    subprocess.run(argv, cwd=ROOT, env=env, check=True, capture_output=True)


def main() -> int:
    args = parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    instance = Path(tempfile.mkdtemp(prefix="aduan-bench-"))
    env = {
        **os.environ, "ADUAN_REDIS_URL": REDIS_URL, "ADUAN_SECRET_KEY": "bench",
        "ADUAN_PUBLIC_BASE_URL": base, "ADUAN_INSTANCE_DIR": str(instance),
        "ADUAN_TWILIO_ACCOUNT_SID": SID, "ADUAN_TWILIO_AUTH_TOKEN": TOKEN,
        "ADUAN_TWILIO_SMS_NUMBER": "+60300000000", "ADUAN_QUEUE_PREFIX": QUEUE_PREFIX,
    }  # fmt: skip
    load_before = os.getloadavg()
    started = time.monotonic()
    redis.Redis.from_url(REDIS_URL).flushdb()
    db_url = prepare_database(args.database, env)
    env["BENCH_DATABASE_URL"] = db_url
    results: dict = {}
    try:
        if "webhook" in args.phase_set:
            results["webhook"] = webhook_phase(args, env, db_url, port, base, instance)
        if args.phase_set - {"webhook"}:
            with gunicorn("wsgi:app", env, port) as url:
                run_worker_phases(args, env, db_url, url, base, instance, results)
    finally:
        drop_database(args.database)
    report_classic(results)
    if "burst" in results:
        ingest_burst.report(results["burst"], args.burst_messages, args.burst_seconds)
    if "cost" in results:
        ingest_cost.report(results["cost"])
    report_targets(results)
    print(f"\nload average (1, 5, 15 min) before {_load(load_before)}, after "
          f"{_load(os.getloadavg())}; the run took {time.monotonic() - started:.0f} s")  # fmt: skip
    return 0


def webhook_phase(args, env: dict, db_url: str, port: int, base: str, instance: Path) -> dict:
    """(a) the raw baseline and (b) the webhook under wrk at each concurrency; (b) at half
    its peak rate, open loop."""
    levels = [int(c) for c in args.concurrency.split(",")]
    per_level = 4000 * args.seconds
    rows = signed_requests(base + WEBHOOK, per_level * (len(levels) + 1), 0)
    files = []
    for i in range(len(levels)):
        path = instance / f"requests-{i}.tsv"
        write_requests(path, rows[i * per_level : (i + 1) * per_level])
        files.append(path)
    out: dict = {"baseline": {}, "webhook": {}}
    with gunicorn("bench.baseline_app:app", env, port) as url:
        for c, path in zip(levels, files, strict=True):
            out["baseline"][c] = run_wrk(url + "/insert", path, c, args.seconds)
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("TRUNCATE bench_baseline")
    with gunicorn("wsgi:app", env, port) as url:
        for c, path in zip(levels, files, strict=True):
            out["webhook"][c] = run_wrk(url + WEBHOOK, path, c, args.seconds)
        out["stored"] = count(db_url, "SELECT count(*) FROM inbound_events")
        out["peak"] = max(r["rate"] for r in out["webhook"].values())
        fresh = rows[len(levels) * per_level :]
        out["half"] = open_loop(url + WEBHOOK, fresh, out["peak"] / 2, 10)
    return out


def run_worker_phases(args, env, db_url, url, base, instance, results: dict) -> None:
    """The phases with intake workers, each on emptied tables and a flushed Redis."""
    phases = args.phase_set

    def fresh() -> None:
        reset(db_url)
        redis.Redis.from_url(REDIS_URL).flushdb()

    if "e2e" in phases:
        # Senders of their own (n mod 10,000,000 from 5,000,000): the measured messages are
        # new complaints, not follow-ups of the warm-up's.
        warm = signed_requests(base + WEBHOOK, WARM_MESSAGES, 9 * 10**7 + 5 * 10**6)
        fresh()
        rows = signed_requests(base + WEBHOOK, 100 * args.e2e_seconds, 10**7)
        results["e2e"] = end_to_end(url, env, db_url, rows, 100, args.e2e_seconds, warm)
        fresh()
        # At an offered 100/s the measured rate cannot exceed 100: offer more to see the
        # end-to-end capacity (webhooks and 2 workers sharing the machine).
        over = args.e2e_over_rate
        rows = signed_requests(base + WEBHOOK, int(over * args.e2e_seconds), 3 * 10**7)
        results["e2e_over"] = end_to_end(url, env, db_url, rows, over, args.e2e_seconds, warm)
        results["e2e_over"]["offered"] = over
    if "backlog" in phases:
        fresh()
        rows = signed_requests(base + WEBHOOK, args.backlog_messages, 2 * 10**7)
        results["backlog"] = drain(url, env, db_url, rows)
        results["backlog"]["noop_ceiling"] = noop_ceiling(env)
    if "burst" in phases:
        fresh()
        rows = signed_requests(base + WEBHOOK, args.burst_messages, 6 * 10**7)
        log = args.burst_log or instance / "burst.tsv"
        results["burst"] = ingest_burst.burst(
            url, env, db_url, rows, args.burst_seconds, log, args.burst_timeout
        )
    if "cost" in phases:
        results["cost"] = ingest_cost.cost(
            url, env, db_url, base, args.cost_messages, args.seed_tickets, timeout=1800
        )


def end_to_end(url: str, env: dict, db_url: str, rows, rate: float, seconds: float,
               warm_rows) -> dict:  # fmt: skip
    """Webhooks at ``rate`` while 2 intake workers run; latency from the DB rows. The
    workers' first ``warm_rows`` messages (sent at the same rate) are measured apart as
    ``cold``: a new worker's first second goes to its caches, a cost of each restart, not of
    the steady rate."""
    with Workers(env) as workers:
        time.sleep(3)
        warm = open_loop(url + WEBHOOK, warm_rows, rate, len(warm_rows) / rate)
        cold = wait_processed(db_url, warm["sent"], timeout=300)
        after = marks(db_url)
        sent = open_loop(url + WEBHOOK, rows, rate, seconds)
        done = wait_processed(db_url, sent["sent"], timeout=300, after=after)
    done["sent"], done["cold"] = sent, cold
    done["peak_rss_mb"] = workers.peak_rss_mb
    return done


def drain(url: str, env: dict, db_url: str, rows) -> dict:
    """Store a backlog with no worker running, then time 2 workers draining it."""
    post_all(url, rows)
    with Workers(env) as workers:
        result = wait_processed(db_url, len(rows), timeout=600)
    result["wall_rate"] = result["processed"] / (time.monotonic() - workers.started)
    result["peak_rss_mb"] = workers.peak_rss_mb
    return result


def noop_ceiling(env: dict, jobs: int = 3000) -> float:
    """The raw ceiling of the queue machinery: 2 non-forking RQ workers (as for intake)
    draining ``jobs`` no-op jobs, in jobs/s from the first job taken to the last."""
    from rq import Queue

    connection = redis.Redis.from_url(REDIS_URL)
    queue = Queue(f"{QUEUE_PREFIX}noop", connection=connection)
    with connection.pipeline() as pipe:
        for _ in range(jobs):
            queue.enqueue("os.getpid", result_ttl=0, pipeline=pipe)
        pipe.execute()
    with Workers(env, argv=[*FLASK, "worker", "--queue", "noop", "--without-scheduler"]):
        while queue.count >= jobs:
            time.sleep(0.01)
        first, left = time.monotonic(), queue.count
        while queue.count > 0:
            time.sleep(0.01)
        return left / (time.monotonic() - first)


def _load(values: tuple[float, float, float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    sys.exit(main())
