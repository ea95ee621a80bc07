"""The cost phase of the intake benchmark (issue #19): the time per new complaint at N
existing tickets ÷ at 0 (target ≤ 1.2).

At 0 (empty tables) and again after seeding N complaints (``bench/seed.py``: copies of the
first complaint drained at 0, the tickets 60% open and spread over the agency's officers
with their kept open counts set; then ``ANALYZE``), ``messages`` new complaints from new
senders are stored as a backlog with no worker running (the webhook is out of the
measurement), then 2 counting workers (``bench/counting_worker.py``) drain them. Per
complaint: the drain's wall time (first to last event processed, ÷ complaints - 1), the
workers' SQL statements and transactions, and the sequential and index scans PostgreSQL made
on the tables that grow with the complaints (``pg_stat_user_tables``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import psycopg
import redis
from sqlalchemy import create_engine

from bench import counting_worker, seed
from bench.common import median
from bench.ingest_traffic import (
    REDIS_URL,
    WEBHOOK,
    Workers,
    cpu_seconds,
    marks,
    outcome,
    post_all,
    reset,
    signed_requests,
    wait_pending,
)

TARGET_RATIO = 1.2
# The first tenth of each drain warms the new workers (imports, caches, their PostgreSQL
# backends' catalogue caches) and is left out of the per-complaint figures.
WARM_SHARE = 0.1
WINDOW = 100  # complaints per window of the steady part (the median window is printed too)
START = 4 * 10**7  # provider ids and senders of this phase's complaints
AT_N_OFFSET = 5 * 10**6  # senders at N differ from those at 0: new complaints, not follow-ups
STATS = """
SELECT relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0), coalesce(idx_tup_fetch, 0)
FROM pg_stat_user_tables WHERE relname = ANY(%s)
"""
OPEN_COUNTS_WRONG = """
SELECT count(*) FROM officers o WHERE open_ticket_count <> (
    SELECT count(*) FROM tickets t WHERE t.assignee_id = o.id AND t.status = ANY(%s))
"""


def cost(url: str, env: dict, db_url: str, base: str, messages: int, n: int, timeout: float):
    """Drain ``messages`` new complaints at 0 tickets, seed ``n``, drain as many again."""
    reset(db_url)  # emptied by TRUNCATE and not analysed again: every lookup by its index
    start = START
    zero = drain_counted(
        url, env, db_url, signed_requests(base + WEBHOOK, messages, start), timeout
    )
    seeded = seed_tables(db_url, n)
    rows = signed_requests(base + WEBHOOK, messages, start + AT_N_OFFSET)
    full = drain_counted(url, env, db_url, rows, timeout)
    full["open_counts_wrong"] = open_counts_wrong(db_url)
    ratio = full["ms_per_complaint"] / zero["ms_per_complaint"]
    window_ratio = full["window_ms"] / zero["window_ms"]
    cpu_ratio = sum(full["cpu_ms"].values()) / sum(zero["cpu_ms"].values())
    return {"zero": zero, "full": full, "seeded": seeded, "n": n, "ratio": ratio,
            "cpu_ratio": cpu_ratio, "window_ratio": window_ratio}  # fmt: skip


def drain_counted(url: str, env: dict, db_url: str, rows, timeout: float) -> dict:
    """Store ``rows`` as a backlog, then drain it with 2 counting workers. Redis is emptied
    first: a drainer's wake key left by the previous drain would keep the webhook from waking
    one for these events."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    after = marks(db_url)
    post_all(url, rows)
    before = table_stats(db_url)
    counts_dir = Path(tempfile.mkdtemp(prefix="aduan-bench-counts-"))
    argv = [sys.executable, str(Path(counting_worker.__file__)), str(counts_dir)]
    with Workers(env, argv=argv) as workers:
        watch = CpuWatch(workers, len(rows), warm=max(1, int(len(rows) * WARM_SHARE)))
        polls = wait_pending(db_url, timeout, on_poll=watch.poll)
    time.sleep(1.5)  # the workers' backends report their statistics as they exit
    scans = _minus(table_stats(db_url), before)
    scans["inbound_events"]["idx_scan"] -= polls  # the bench's own look at the pending index
    result = outcome(db_url, len(rows), after)
    done = result["processed"]
    result.update(
        peak_rss_mb=workers.peak_rss_mb,
        ms_per_complaint=steady_ms(result["processed_at"], max(1, int(done * WARM_SHARE))),
        window_ms=median(window_ms(result["processed_at"], max(1, int(done * WARM_SHARE)))),
        cpu_ms=watch.per_complaint_ms(),
        scans={t: {k: v / max(done, 1) for k, v in s.items()} for t, s in scans.items()},
        counts={k: v / max(done, 1) for k, v in counting_worker.read(counts_dir).items()},
    )
    return result


def steady_ms(processed_at: list, warm: int) -> float:
    """Wall time per complaint after the first ``warm`` were processed: the span from the
    warm-th processing to the last ÷ the complaints processed in it."""
    if len(processed_at) <= warm + 1:
        return float("nan")
    span = (processed_at[-1] - processed_at[warm]).total_seconds()
    return span * 1000 / (len(processed_at) - 1 - warm)


def window_ms(processed_at: list, warm: int, size: int = WINDOW) -> list[float]:
    """Wall time per complaint in each window of ``size`` complaints after the first
    ``warm``: a burst of load from elsewhere on the machine moves a few windows, not the
    median."""
    return [
        (processed_at[i + size] - processed_at[i]).total_seconds() * 1000 / size
        for i in range(warm, len(processed_at) - size, size)
    ]


class CpuWatch:
    """CPU time per complaint of the workers and of their PostgreSQL backends, from the
    first poll that sees ``warm`` complaints processed (the workers' start-up and warm-up
    left out) to the poll that finds nothing pending (before the workers stop)."""

    def __init__(self, workers: Workers, total: int, warm: int):
        self.workers, self.total, self.warm = workers, total, warm
        self.start: tuple[int, dict[str, dict[int, float]]] | None = None
        self.end: tuple[int, dict[str, dict[int, float]]] | None = None

    def poll(self, conn, pending: int) -> None:
        if self.start is None and pending <= self.total - self.warm:
            self.start = (pending, self._cpu(conn))
        elif self.start is not None and pending == 0:
            self.end = (pending, self._cpu(conn))

    def _cpu(self, conn) -> dict[str, dict[int, float]]:
        backends = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchall()
        return {
            "workers": {p.pid: cpu_seconds(p.pid) for p in self.workers.procs},
            "postgres": {pid: cpu_seconds(pid) for (pid,) in backends},
        }

    def per_complaint_ms(self) -> dict[str, float]:
        """{"workers": ms, "postgres": ms} per complaint drained between the two polls."""
        if self.start is None or self.end is None or self.start[0] == 0:
            return {"workers": float("nan"), "postgres": float("nan")}
        drained = self.start[0] - self.end[0]
        return {
            side: 1000
            * sum(v - self.start[1][side].get(pid, 0.0) for pid, v in self.end[1][side].items())
            / drained
            for side in ("workers", "postgres")
        }


def seed_tables(db_url: str, n: int) -> dict:
    """Copy the first complaint ``n`` times, its tickets spread over the officers, the
    indexes built again after each table's copy; then ``ANALYZE``. Times in seconds."""
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    started = time.monotonic()
    with engine.begin() as conn:
        seed.copy_complaint(conn, seed.template_rows(conn), n, spread=True, rebuild_indexes=True)
    copied = time.monotonic() - started
    engine.dispose()
    analysed = analyse(db_url)
    with psycopg.connect(db_url, autocommit=True) as conn:
        tickets, open_tickets = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE status <> 'ditutup') FROM tickets"
        ).fetchone()
    return {
        "copy_s": copied,
        "analyze_s": analysed,
        "tickets": tickets,
        "open": open_tickets,
    }


def analyse(db_url: str) -> float:
    """``VACUUM (ANALYZE)`` and a checkpoint: the seeded rows settle as a database's old rows
    are (statistics, visibility map, hint bits), and no autovacuum of the fresh million rows
    or checkpoint of their WAL runs inside the measured drain."""
    started = time.monotonic()
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")
    return time.monotonic() - started


def table_stats(db_url: str) -> dict[str, dict[str, int]]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute(STATS, (list(seed.TABLES),)).fetchall()
    keys = ("seq_scan", "seq_tup_read", "idx_scan", "idx_tup_fetch")
    return {name: dict(zip(keys, values, strict=True)) for name, *values in rows}


def open_counts_wrong(db_url: str) -> int:
    """Officers whose kept open count differs from their open tickets."""
    from aduan.vocabulary import OPEN_STATUSES

    with psycopg.connect(db_url, autocommit=True) as conn:
        open_values = sorted(s.value for s in OPEN_STATUSES)
        return conn.execute(OPEN_COUNTS_WRONG, (open_values,)).fetchone()[0]


def _minus(after: dict, before: dict) -> dict:
    return {t: {k: v - before[t][k] for k, v in s.items()} for t, s in after.items()}


def report(result: dict) -> None:
    zero, full, seeded = result["zero"], result["full"], result["seeded"]
    print(
        f"\n(cost) seeded {result['n']:,} complaints in {seeded['copy_s']:.0f} s (+ VACUUM ANALYZE "
        f"{seeded['analyze_s']:.0f} s): {seeded['tickets']:,} tickets, {seeded['open']:,} open; "
        f"officers whose kept open count is wrong after the drain: {full['open_counts_wrong']}"
    )
    print("\n| existing tickets | complaints drained | ms per complaint (2 workers) "
          "| median window ms | msg/s "
          "| worker CPU ms | PostgreSQL CPU ms | statements | transactions | seq scans "
          "| rows read by seq scans | index scans | worker RSS MB |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for label, one in (("0", zero), (f"{result['n']:,}", full)):
        counts, scans = one["counts"], one["scans"].values()
        print(
            f"| {label} | {one['processed']} | {one['ms_per_complaint']:.2f} "
            f"| {one['window_ms']:.2f} "
            f"| {1000 / one['ms_per_complaint']:.0f} | {one['cpu_ms']['workers']:.1f} "
            f"| {one['cpu_ms']['postgres']:.1f} | {counts.get('statements', float('nan')):.1f} "
            f"| {counts.get('commits', 0) + counts.get('rollbacks', 0):.2f} "
            f"| {sum(s['seq_scan'] for s in scans):.2f} "
            f"| {sum(s['seq_tup_read'] for s in scans):.1f} "
            f"| {sum(s['idx_scan'] for s in scans):.1f} | {one['peak_rss_mb']:.0f} |"
        )
    verdict = "met" if result["ratio"] <= TARGET_RATIO else "MISSED"
    print(
        f"\n(cost) per complaint at {result['n']:,} ÷ at 0: {result['ratio']:.2f} (target ≤ "
        f"{TARGET_RATIO}: {verdict}); the median {WINDOW}-complaint window at N ÷ at 0: "
        f"{result['window_ratio']:.2f}; CPU (workers + PostgreSQL) per complaint at N ÷ at 0: "
        f"{result['cpu_ratio']:.2f}; per complaint = the drain's wall time ÷ complaints, the "
        f"first {WARM_SHARE:.0%} of each drain (the new workers' warm-up) left out; "
        f"statements and transactions from the counting workers (round trips ≈ statements "
        f"+ 2 per transaction); scans on the tables that grow with complaints"
    )
    for label, one in (("0", zero), (f"{result['n']:,}", full)):
        detail = ", ".join(
            f"{t} {s['seq_scan']:.2f}/{s['idx_scan']:.1f}" for t, s in sorted(one["scans"].items())
        )
        print(f"(cost) at {label}: seq/index scans per complaint by table: {detail}")
    lost = [(o["expected"], o["processed"], o["tickets"], o["acks_queued"]) for o in (zero, full)]
    print(
        f"(cost) expected / processed / tickets / acknowledgements: at 0 {lost[0]}, at N {lost[1]}"
    )
