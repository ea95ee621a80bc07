"""Intake benchmark (issue #3): PostgreSQL + Redis, gunicorn, this machine, one run.

(a) raw baseline: a minimal Flask endpoint doing one INSERT + COMMIT on the same database;
(b) signed Twilio SMS webhooks accepted per second, p50/p99, at several concurrencies,
    and p99 at half the peak rate (open loop);
(c) end to end — webhook → ticket with deadlines, routed, acknowledgement queued — with
    2 workers: messages/s and p50/p95 at 100 messages/s, and the drain rate of a backlog.
Prints (b)/(a). Needs `wrk` (apt-get install wrk). Usage: .venv/bin/python bench/ingest.py
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import http.client
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg
import redis
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (  # noqa: E402
    ROOT,
    drop_database,
    free_port,
    fresh_database,
    gunicorn,
    median,
    percentile,
)

# Its own Redis database (bench/inbox.py uses 13): the run flushes it.
REDIS_URL = os.environ.get("ADUAN_BENCH_INGEST_REDIS_URL", "redis://127.0.0.1:6379/11")
TOKEN = "bench-auth-token-0123456789abcdef"
SID = "AC" + "b" * 32
TEXTS = [
    "Lampu jalan rosak di Jalan Kenanga 3 sejak minggu lepas, kawasan gelap 🙏",
    "Sampah tidak dikutip selama 5 hari di Taman Sri Muda.",
    "The streetlight in front of house 12, Jalan Mawar is out.",
]


def signed_requests(url: str, count: int, start: int) -> list[tuple[str, str]]:
    validator = RequestValidator(TOKEN)
    out = []
    for n in range(start, start + count):
        params = {
            "MessageSid": f"SM{n:032d}",
            "AccountSid": SID,
            "From": f"+6012{n % 10_000_000:07d}",
            "To": "+60300000000",
            "Body": TEXTS[n % len(TEXTS)],
            "NumMedia": "0",
        }
        out.append((validator.compute_signature(url, params), urllib.parse.urlencode(params)))
    return out


def write_requests(path: Path, rows: list[tuple[str, str]]) -> None:
    path.write_text("".join(f"{sig}\t{body}\n" for sig, body in rows))


def run_wrk(url: str, path: Path, connections: int, seconds: int) -> dict:
    threads = min(2, connections)
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
         "-s", str(ROOT / "bench/wrk_replay.lua"), url, "--", str(path), str(threads)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rate": rate,
        "p50_ms": _ms(lat.get("50", "nan")),
        "p99_ms": _ms(lat.get("99", "nan")),
        "non2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def open_loop(url: str, rows: list[tuple[str, str]], rate: float, seconds: float) -> dict:
    """Send at a fixed rate regardless of answers; latency counts from the scheduled time.

    Each sending thread keeps one HTTP/1.1 connection open, as wrk does when it measures the
    peak: a new connection per request costs this Python generator and the server's accept
    path more CPU than the request itself, on the same two cores."""
    parsed = urllib.parse.urlsplit(url)
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2
    latencies: list[float] = []
    failures = 0
    local = threading.local()

    def post(sig: str, body: str) -> bool:
        if getattr(local, "conn", None) is None:
            local.conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        local.conn.request("POST", parsed.path, body, {
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig,
        })  # fmt: skip
        response = local.conn.getresponse()
        response.read()
        return response.status == 200

    def send(i: int) -> float | None:
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        try:
            ok = post(*rows[i])
        except (OSError, http.client.HTTPException):  # the server closed a kept connection
            local.conn.close()
            local.conn = None
            ok = post(*rows[i])
        return (time.perf_counter() - scheduled) * 1000 if ok else None

    with cf.ThreadPoolExecutor(max_workers=64) as pool:
        for result in pool.map(send, range(total)):
            if result is None:
                failures += 1
            else:
                latencies.append(result)
    return {
        "sent": total,
        "failures": failures,
        "p50_ms": median(latencies),
        "p99_ms": percentile(latencies, 99),
    }


def prepare_database(name: str, env: dict) -> str:
    url = fresh_database(name)
    env["ADUAN_DATABASE_URL"] = url
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(
        [*flask, "demo", "seed", "--tickets", "0"], cwd=ROOT, env=env, check=True,
        capture_output=True,
    )  # fmt: skip
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bench_baseline (id bigserial primary key, provider_id text, payload text)"
        )
    return url


def end_to_end(url: str, env: dict, db_url: str, rows, rate: float, seconds: float, workers: int):
    """Webhooks at ``rate`` while ``workers`` ingest workers run; latency from the DB rows."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    procs = [
        subprocess.Popen([*flask, "worker", "--queue", "ingest", "--without-scheduler"],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]  # fmt: skip
    try:
        time.sleep(3)
        sent = open_loop(url + "/webhooks/twilio/sms", rows, rate, seconds)
        pending = _wait_processed(db_url, sent["sent"], timeout=300)
        pending["peak_rss_mb"] = max(_peak_rss_mb(p.pid) for p in procs)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    return sent, pending


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MB; 0 when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else 0.0


def noop_ceiling(env: dict, jobs: int = 3000, workers: int = 2) -> float:
    """The raw ceiling of the queue machinery: ``workers`` non-forking RQ workers (as for
    intake) draining ``jobs`` no-op jobs, in jobs/s from the first job taken to the last."""
    from rq import Queue

    connection = redis.Redis.from_url(REDIS_URL)
    queue = Queue("bench-noop", connection=connection)
    with connection.pipeline() as pipe:
        for _ in range(jobs):
            queue.enqueue("os.getpid", result_ttl=0, pipeline=pipe)
        pipe.execute()
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    procs = [
        subprocess.Popen([*flask, "worker", "--queue", "noop", "--without-scheduler"],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]  # fmt: skip
    try:
        while queue.count >= jobs:
            time.sleep(0.01)
        first, left = time.monotonic(), queue.count
        while queue.count > 0:
            time.sleep(0.01)
        return left / (time.monotonic() - first)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


def _wait_processed(db_url: str, expected: int, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    with psycopg.connect(db_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            done = conn.execute(
                "SELECT count(*) FROM inbound_events WHERE processed_at IS NOT NULL"
            ).fetchone()[0]
            if done >= expected:
                break
            time.sleep(0.5)
        rows = conn.execute(
            "SELECT extract(epoch FROM processed_at - received_at) * 1000, received_at, processed_at"
            " FROM inbound_events WHERE processed_at IS NOT NULL"
        ).fetchall()
        tickets = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
        routed = conn.execute(
            "SELECT count(*) FROM tickets WHERE unit_id IS NOT NULL AND resolve_due_at IS NOT NULL"
        ).fetchone()[0]
        acks = conn.execute(
            "SELECT count(*) FROM outbound_messages WHERE purpose = 'acknowledgement'"
        ).fetchone()[0]
    latencies = [float(r[0]) for r in rows]
    span = (max(r[2] for r in rows) - min(r[1] for r in rows)).total_seconds() if rows else 0
    return {
        "processed": len(rows),
        "tickets": tickets,
        "routed_with_deadlines": routed,
        "acks_queued": acks,
        "rate": len(rows) / span if span else float("nan"),
        "p50_ms": median(latencies),
        "p95_ms": percentile(latencies, 95),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--concurrency", default="1,4,16,64")
    parser.add_argument("--e2e-seconds", type=int, default=20)
    parser.add_argument("--e2e-over-rate", type=int, default=180)
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    name = "aduan_bench_ingest"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    instance = Path(tempfile.mkdtemp(prefix="aduan-bench-"))
    env = {
        **os.environ, "ADUAN_REDIS_URL": REDIS_URL, "ADUAN_SECRET_KEY": "bench",
        "ADUAN_PUBLIC_BASE_URL": base, "ADUAN_INSTANCE_DIR": str(instance),
        "ADUAN_TWILIO_ACCOUNT_SID": SID, "ADUAN_TWILIO_AUTH_TOKEN": TOKEN,
        "ADUAN_TWILIO_SMS_NUMBER": "+60300000000", "ADUAN_QUEUE_PREFIX": "bench-",
    }  # fmt: skip
    load_before = os.getloadavg()
    redis.Redis.from_url(REDIS_URL).flushdb()
    db_url = prepare_database(name, env)
    env["BENCH_DATABASE_URL"] = db_url
    per_level = 4000 * args.seconds
    rows = signed_requests(base + "/webhooks/twilio/sms", per_level * (len(levels) + 1), 0)
    files = []
    for i in range(len(levels)):
        path = instance / f"requests-{i}.tsv"
        write_requests(path, rows[i * per_level : (i + 1) * per_level])
        files.append(path)
    results: dict[str, dict] = {"baseline": {}, "webhook": {}}
    try:
        with gunicorn("bench.baseline_app:app", env, port) as url:
            for c, path in zip(levels, files, strict=True):
                results["baseline"][c] = run_wrk(url + "/insert", path, c, args.seconds)
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("TRUNCATE bench_baseline")
        with gunicorn("wsgi:app", env, port) as url:
            for c, path in zip(levels, files, strict=True):
                results["webhook"][c] = run_wrk(url + "/webhooks/twilio/sms", path, c, args.seconds)
            stored = _count(db_url, "SELECT count(*) FROM inbound_events")
            peak = max(r["rate"] for r in results["webhook"].values())
            fresh = rows[len(levels) * per_level :]
            half = open_loop(url + "/webhooks/twilio/sms", fresh, peak / 2, 10)
            _reset(db_url)
            redis.Redis.from_url(REDIS_URL).flushdb()
            e2e_rows = signed_requests(base + "/webhooks/twilio/sms", 100 * args.e2e_seconds, 10**7)
            sent, e2e = end_to_end(url, env, db_url, e2e_rows, 100, args.e2e_seconds, 2)
            _reset(db_url)
            redis.Redis.from_url(REDIS_URL).flushdb()
            # At an offered 100/s the measured rate cannot exceed 100: offer more to see the
            # end-to-end capacity (webhooks and 2 workers sharing the machine).
            over = args.e2e_over_rate
            over_rows = signed_requests(
                base + "/webhooks/twilio/sms", int(over * args.e2e_seconds), 3 * 10**7
            )
            sent_over, e2e_over = end_to_end(url, env, db_url, over_rows, over, args.e2e_seconds, 2)
            _reset(db_url)
            redis.Redis.from_url(REDIS_URL).flushdb()
            backlog_rows = signed_requests(base + "/webhooks/twilio/sms", 3000, 2 * 10**7)
            backlog = drain(url, env, db_url, backlog_rows, 2)
            backlog["noop_ceiling"] = noop_ceiling(env)
    finally:
        drop_database(name)
    report(results, stored, peak, half, sent, e2e, backlog, (sent_over, e2e_over, over))
    print(
        f"\nload average (1, 5, 15 min) before {_load(load_before)}, after {_load(os.getloadavg())}"
    )
    return 0


def _load(values: tuple[float, float, float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


def drain(url, env, db_url, rows, workers):
    """Store a backlog with no worker running, then time 2 workers draining it."""
    parsed = urllib.parse.urlsplit(url)

    def post(row):
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        conn.request("POST", "/webhooks/twilio/sms", row[1], {
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": row[0],
        })  # fmt: skip
        conn.getresponse().read()
        conn.close()

    with cf.ThreadPoolExecutor(16) as pool:
        list(pool.map(post, rows))
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    started = time.monotonic()
    procs = [
        subprocess.Popen([*flask, "worker", "--queue", "ingest", "--without-scheduler"],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]  # fmt: skip
    try:
        result = _wait_processed(db_url, len(rows), timeout=600)
    finally:
        for p in procs:
            p.terminate()
    result["wall_rate"] = result["processed"] / (time.monotonic() - started)
    return result


def _count(db_url: str, sql: str) -> int:
    with psycopg.connect(db_url, autocommit=True) as conn:
        return conn.execute(sql).fetchone()[0]


def _reset(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "TRUNCATE inbound_events, outbound_messages, messages, attachments, ticket_events, "
            "tickets, contact_identities, complainants RESTART IDENTITY CASCADE"
        )


def report(results, stored, peak, half, sent, e2e, backlog, over) -> None:
    print("\n## Intake benchmark (issue #3)\n")
    print("| concurrency | (a) baseline req/s | p50 ms | p99 ms | (b) webhook req/s | p50 ms "
          "| p99 ms | (b)/(a) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for c, a in results["baseline"].items():
        b = results["webhook"][c]
        print(f"| {c} | {a['rate']:.0f} | {a['p50_ms']:.1f} | {a['p99_ms']:.1f} | {b['rate']:.0f} "
              f"| {b['p50_ms']:.1f} | {b['p99_ms']:.1f} | {b['rate'] / a['rate']:.2f} |")  # fmt: skip
    peak_a = max(r["rate"] for r in results["baseline"].values())
    print(f"\npeak (a) {peak_a:.0f} req/s, peak (b) {peak:.0f} req/s, ratio (b)/(a) = "
          f"{peak / peak_a:.2f} (target >= 0.5); events stored during (b): {stored}")  # fmt: skip
    bad = {c: (r["non2xx"], r["socket_errors"]) for c, r in results["webhook"].items()}
    print(f"non-2xx / socket errors during (b): {bad}")
    print(f"(b) at half the peak rate ({peak / 2:.0f}/s, open loop, {half['sent']} requests): "
          f"p50 {half['p50_ms']:.1f} ms, p99 {half['p99_ms']:.1f} ms (target p99 < 50 ms), "
          f"failures {half['failures']}")  # fmt: skip
    print(f"\n(c) end to end at 100 msg/s for {sent['sent']} messages with 2 workers: "
          f"processed {e2e['processed']}, tickets {e2e['tickets']}, routed with deadlines "
          f"{e2e['routed_with_deadlines']}, acknowledgements queued {e2e['acks_queued']}; "
          f"{e2e['rate']:.0f} msg/s, p50 {e2e['p50_ms']:.0f} ms, p95 {e2e['p95_ms']:.0f} ms "
          f"(target >= 100 msg/s, p95 < 1 s)")  # fmt: skip
    sent_over, e2e_over, rate_over = over
    print(f"(c) end to end offered {rate_over} msg/s for {sent_over['sent']} messages with 2 "
          f"workers: processed {e2e_over['processed']}, tickets {e2e_over['tickets']}, "
          f"acknowledgements queued {e2e_over['acks_queued']}; {e2e_over['rate']:.0f} msg/s, "
          f"p50 {e2e_over['p50_ms']:.0f} ms, p95 {e2e_over['p95_ms']:.0f} ms "
          f"(capacity: target >= 100 msg/s)")  # fmt: skip
    print(f"(c) backlog of {backlog['processed']} drained by 2 workers at "
          f"{backlog['wall_rate']:.0f} msg/s (wall clock incl. worker start)")  # fmt: skip
    ceiling = backlog["noop_ceiling"]
    print(f"(c) raw ceiling: 2 non-forking RQ workers drain no-op jobs at {ceiling:.0f} jobs/s; "
          f"end to end / ceiling: at 100/s {e2e['rate'] / ceiling:.2f}, offered {rate_over}/s "
          f"{e2e_over['rate'] / ceiling:.2f}, backlog {backlog['wall_rate'] / ceiling:.2f} "
          f"(#19 target: >= 150 msg/s, about 0.5x)")  # fmt: skip
    print(f"(c) peak worker RSS: {max(e2e['peak_rss_mb'], e2e_over['peak_rss_mb']):.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
