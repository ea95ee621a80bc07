"""The intake benchmark's moving parts (``bench/ingest.py``): signed Twilio SMS webhooks, sent
by wrk, at a fixed rate (open loop) or as a stored backlog; intake workers with their peak
RSS; waiting for the drain and reading what it made from the database."""

from __future__ import annotations

import concurrent.futures as cf
import http.client
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg
import redis
from twilio.request_validator import RequestValidator

from bench.common import ROOT, median, percentile

# Its own Redis database (bench/inbox.py uses 13): the run flushes it.
REDIS_URL = os.environ.get("ADUAN_BENCH_INGEST_REDIS_URL", "redis://127.0.0.1:6379/11")
TOKEN = "bench-auth-token-0123456789abcdef"
SID = "AC" + "b" * 32
WEBHOOK = "/webhooks/twilio/sms"
QUEUE_PREFIX = "bench-"  # ADUAN_QUEUE_PREFIX of the app under test
TEXTS = [
    "Lampu jalan rosak di Jalan Kenanga 3 sejak minggu lepas, kawasan gelap 🙏",
    "Sampah tidak dikutip selama 5 hari di Taman Sri Muda.",
    "The streetlight in front of house 12, Jalan Mawar is out.",
]
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]
# The tables a run of complaints fills; emptied between phases.
INTAKE_TABLES = (
    "inbound_events, outbound_messages, messages, attachments, ticket_events, tickets, "
    "contact_identities, complainants"
)


def signed_requests(url: str, count: int, start: int) -> list[tuple[str, str]]:
    """``count`` signed webhook bodies, message ``start`` onwards: message n comes from sender
    n mod 10,000,000 with provider id n."""
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


def message_sid(row: tuple[str, str]) -> str:
    return urllib.parse.parse_qs(row[1])["MessageSid"][0]


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
    ``answered_at``: the wall-clock time (epoch s) each request's 200 came back (None: failed).

    Each sending thread keeps one HTTP/1.1 connection open, as wrk does when it measures the
    peak: a new connection per request costs this Python generator and the server's accept
    path more CPU than the request itself, on the same two cores."""
    parsed = urllib.parse.urlsplit(url)
    total = min(len(rows), round(rate * seconds))
    start = time.perf_counter() + 0.2
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

    def send(i: int) -> tuple[float, float] | None:
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
        return ((time.perf_counter() - scheduled) * 1000, time.time()) if ok else None

    with cf.ThreadPoolExecutor(max_workers=64) as pool:
        results = list(pool.map(send, range(total)))
    latencies = [r[0] for r in results if r is not None]
    return {
        "sent": total,
        "seconds": seconds,
        "failures": total - len(latencies),
        "p50_ms": median(latencies),
        "p99_ms": percentile(latencies, 99),
        "answered_at": [r[1] if r is not None else None for r in results],
    }


def post_all(url: str, rows: list[tuple[str, str]]) -> None:
    """Store ``rows`` as a backlog: posted 16 at a time, as fast as the web answers."""
    parsed = urllib.parse.urlsplit(url)

    def post(row):
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        conn.request("POST", WEBHOOK, row[1], {
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": row[0],
        })  # fmt: skip
        conn.getresponse().read()
        conn.close()

    with cf.ThreadPoolExecutor(16) as pool:
        list(pool.map(post, rows))


class Workers:
    """``count`` intake workers (``flask worker --queue ingest``, or ``argv``) for the length
    of a ``with`` block; ``peak_rss_mb`` is read just before they are stopped."""

    def __init__(self, env: dict, count: int = 2, argv: list[str] | None = None):
        self.env, self.count = env, count
        self.argv = argv or [*FLASK, "worker", "--queue", "ingest", "--without-scheduler"]
        self.procs: list[subprocess.Popen] = []
        self.peak_rss_mb = 0.0

    def __enter__(self) -> Workers:
        self.started = time.monotonic()
        self.procs = [
            subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
            for _ in range(self.count)
        ]  # fmt: skip
        return self

    def wait_ready(self, timeout: float = 120) -> None:
        """Wait until every worker has registered with RQ (started, listening)."""
        from rq import Worker

        connection = redis.Redis.from_url(REDIS_URL)
        deadline = time.monotonic() + timeout
        while Worker.count(connection=connection) < self.count:
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not start")
            time.sleep(0.2)

    def __exit__(self, *_exc) -> None:
        self.peak_rss_mb = max((peak_rss_mb(p.pid) for p in self.procs), default=0.0)
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait(timeout=30)


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MB; 0 when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else 0.0


def marks(db_url: str) -> dict[str, int]:
    """The highest id of each table a run fills: what a phase made is above it."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        return {
            t: conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0]
            for t in ("inbound_events", "tickets", "outbound_messages")
        }


def wait_processed(db_url: str, expected: int, timeout: float, after: dict | None = None) -> dict:
    """Wait until no stored event is pending (or ``timeout``); what the events above
    ``after`` (``marks``) became (``outcome``)."""
    wait_pending(db_url, timeout)
    return outcome(db_url, expected, after)


def wait_pending(db_url: str, timeout: float, on_poll=None) -> int:
    """Wait until no stored event is pending, or ``timeout`` s; returns how many times it
    looked, calling ``on_poll(conn, pending)`` each time. It reads the pending events' partial
    index only (sequential scans priced out: on small tables the planner would rather scan),
    so it costs the same at a million rows and adds no sequential scan to what the cost phase
    counts."""
    deadline = time.monotonic() + timeout
    polls = 0
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SET enable_seqscan = off")
        while time.monotonic() < deadline:
            polls += 1
            pending = conn.execute(
                "SELECT count(*) FROM inbound_events"
                " WHERE processed_at IS NULL AND quarantined_at IS NULL"
            ).fetchone()[0]
            if on_poll is not None:
                on_poll(conn, pending)
            if pending == 0:
                break
            time.sleep(0.5)
    return polls


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def outcome(db_url: str, expected: int, after: dict | None = None) -> dict:
    """What the events above ``after`` (``marks``; default: all) became: processed,
    quarantined, tickets (routed, with deadlines), acknowledgements queued and on how many
    tickets; the rate from the first receipt to the last processing, the drain's own span,
    and p50/p95 from receipt to processing."""
    after = after or {"inbound_events": 0, "tickets": 0, "outbound_messages": 0}
    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT extract(epoch FROM processed_at - received_at) * 1000, received_at,"
            " processed_at FROM inbound_events WHERE id > %s AND processed_at IS NOT NULL",
            (after["inbound_events"],),
        ).fetchall()
        tickets, routed = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE unit_id IS NOT NULL AND resolve_due_at"
            " IS NOT NULL) FROM tickets WHERE id > %s",
            (after["tickets"],),
        ).fetchone()
        acks, acked_tickets = conn.execute(
            "SELECT count(*), count(DISTINCT ticket_id) FROM outbound_messages"
            " WHERE id > %s AND purpose = 'acknowledgement'",
            (after["outbound_messages"],),
        ).fetchone()
        quarantined = conn.execute(
            "SELECT count(*) FROM inbound_events WHERE id > %s AND quarantined_at IS NOT NULL",
            (after["inbound_events"],),
        ).fetchone()[0]
    latencies = [float(r[0]) for r in rows]
    span = (max(r[2] for r in rows) - min(r[1] for r in rows)).total_seconds() if rows else 0
    drain = (max(r[2] for r in rows) - min(r[2] for r in rows)).total_seconds() if rows else 0
    return {
        "expected": expected,
        "processed": len(rows),
        "quarantined": quarantined,
        "tickets": tickets,
        "routed_with_deadlines": routed,
        "acks_queued": acks,
        "acked_tickets": acked_tickets,
        "rate": len(rows) / span if span else float("nan"),
        "drain_seconds": drain,
        "p50_ms": median(latencies),
        "p95_ms": percentile(latencies, 95),
        "processed_at": sorted(r[2] for r in rows),
    }


def reset(db_url: str) -> None:
    """Empty the tables a run fills, and the officers' kept open counts and fairness clocks
    with them (``tickets.loads``), so the next phase starts from none."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {INTAKE_TABLES} RESTART IDENTITY CASCADE")
        conn.execute("UPDATE officers SET open_ticket_count = 0, last_assigned_event_id = NULL")


def count(db_url: str, sql: str) -> int:
    with psycopg.connect(db_url, autocommit=True) as conn:
        return conn.execute(sql).fetchone()[0]
