"""The burst phase of the intake benchmark (issue #19): ``messages`` signed SMS offered in
``seconds`` (open loop) while 2 workers drain, and for every message the time from its
webhook's answer to its acknowledgement being queued.

"Queued" is the moment the acknowledgement's send job was put on the ``first`` queue: the
drain commits the ticket with its ``OutboundMessage`` and enqueues the send job once that
commits (``outbox.enqueueing``); RQ stamps the job's ``enqueued_at``. The bench's workers
serve ``ingest`` only, so the send jobs stay in Redis to be read. A row whose job is missing
(Redis refused it: the periodic resend would enqueue it later) is counted at its event's
commit and reported apart.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from pathlib import Path

import psycopg
import redis
from rq.job import Job

from bench.common import median, percentile
from bench.ingest_traffic import (
    REDIS_URL,
    WEBHOOK,
    Workers,
    marks,
    message_sid,
    open_loop,
    post_all,
    signed_requests,
    wait_pending,
    wait_processed,
)

TARGET_SECONDS = 120  # every acknowledgement queued within 2 minutes of its webhook
WARM_UP = 20  # complaints drained before the burst, not counted
WARM_UP_START = 7 * 10**7 + 9 * 10**6  # their provider ids; senders none of the burst's
ACKS = """
SELECT e.provider_id, o.id, extract(epoch FROM e.processed_at)
FROM inbound_events e
JOIN messages m ON m.inbound_event_id = e.id AND m.direction = 'in'
JOIN outbound_messages o ON o.ticket_id = m.ticket_id AND o.purpose = 'acknowledgement'
WHERE e.id > %s AND o.id > %s
"""


def burst(url: str, env: dict, db_url: str, rows, seconds: float, log_path: Path, timeout: float):
    """Offer ``rows`` in ``seconds`` with 2 workers running; per-message delays to ``log_path``
    (tab-separated: provider id, webhook answered, acknowledgement queued, delay s; ``-``:
    standard output, as soon as the drain is done)."""
    with Workers(env) as workers:
        workers.wait_ready()
        # Workers in service are warm: a few complaints first load what a first job loads.
        post_all(url, signed_requests(url + WEBHOOK, WARM_UP, WARM_UP_START))
        wait_pending(db_url, timeout=120)
        after = marks(db_url)
        sent = open_loop(url + WEBHOOK, rows, len(rows) / seconds, seconds)
        done = wait_processed(db_url, sent["sent"], timeout, after)
    done["peak_rss_mb"] = workers.peak_rss_mb
    answered = {
        message_sid(row): at for row, at in zip(rows, sent["answered_at"], strict=False) if at
    }
    queued, from_commit = queue_times(db_url, after)
    delays = []
    with _open_log(log_path) as log:
        log.write("provider_id\twebhook_answered\tack_queued\tdelay_s\n")
        for sid, answered_at in sorted(answered.items(), key=lambda item: item[1]):
            at = queued.get(sid)
            delay = at - answered_at if at is not None else None
            if delay is not None:
                delays.append((answered_at, delay))
            log.write(f"{sid}\t{_iso(answered_at)}\t{_iso(at)}\t{_num(delay)}\n")
    values = [d for _, d in delays]
    return {
        "sent": sent,
        "done": done,
        "answered": len(answered),
        "queued": len(values),
        "queued_from_commit": from_commit,
        "within_target": sum(1 for d in values if d <= TARGET_SECONDS),
        "p50_s": median(values),
        "p95_s": percentile(values, 95),
        "max_s": max(values, default=float("nan")),
        "by_ten_seconds": by_ten_seconds(delays),
        "send_jobs": len(queued) - from_commit,
        "log": log_path,
    }


def queue_times(db_url: str, after: dict) -> tuple[dict[str, float], int]:
    """provider id → when its acknowledgement's send job was enqueued (epoch s); and how many
    of them had no job and were timed at their event's commit instead."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute(ACKS, (after["inbound_events"], after["outbound_messages"])).fetchall()
    connection = redis.Redis.from_url(REDIS_URL)
    with connection.pipeline(transaction=False) as pipe:
        for _, outbound_id, _ in rows:
            pipe.hget(Job.key_for(f"send-{outbound_id}"), "enqueued_at")
        stamps = pipe.execute()
    times, from_commit = {}, 0
    for (sid, _, committed), stamp in zip(rows, stamps, strict=True):
        if stamp:
            times[sid] = _epoch(stamp.decode())
        else:
            times[sid] = float(committed)
            from_commit += 1
    return times, from_commit


def by_ten_seconds(delays: list[tuple[float, float]]) -> list[tuple[int, int, float, float]]:
    """(second of the burst, messages, p50 s, max s) per 10 s of webhook answers."""
    if not delays:
        return []
    first = min(at for at, _ in delays)
    buckets: dict[int, list[float]] = {}
    for at, delay in delays:
        buckets.setdefault(int((at - first) // 10) * 10, []).append(delay)
    return [(s, len(v), median(v), max(v)) for s, v in sorted(buckets.items())]


def report(result: dict, messages: int, seconds: float) -> None:
    done, sent = result["done"], result["sent"]
    where = "above" if str(result["log"]) == "-" else result["log"]
    print(
        f"\n(burst) {messages} messages offered in {seconds:.0f} s ({messages / seconds:.0f}/s, "
        f"open loop) with 2 workers: webhook p50 {sent['p50_ms']:.0f} ms, p99 "
        f"{sent['p99_ms']:.0f} ms, failures {sent['failures']}; processed {done['processed']}, "
        f"quarantined {done['quarantined']}, tickets {done['tickets']}, acknowledgements queued "
        f"{done['acks_queued']} on {done['acked_tickets']} tickets, their send jobs in Redis "
        f"{result['send_jobs']}; drained at {done['rate']:.0f} msg/s; worker peak RSS "
        f"{done['peak_rss_mb']:.0f} MB"
    )
    print(
        f"(burst) webhook answer → acknowledgement queued: p50 {result['p50_s']:.1f} s, p95 "
        f"{result['p95_s']:.1f} s, max {result['max_s']:.1f} s; within 2 min: "
        f"{result['within_target']} of {messages} (target: all); timed at commit (no send "
        f"job): {result['queued_from_commit']}; per message: {where}"
    )
    print("\n| webhook answered (s into the burst) | messages | p50 s | max s |")
    print("|---|---|---|---|")
    for second, n, p50, worst in result["by_ten_seconds"]:
        print(f"| {second}–{second + 10} | {n} | {p50:.1f} | {worst:.1f} |")


@contextlib.contextmanager
def _open_log(path: Path):
    if str(path) == "-":
        yield sys.stdout
        return
    with path.open("w") as log:
        yield log


def _epoch(stamp: str) -> float:
    moment = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.replace(tzinfo=dt.UTC).timestamp()


def _iso(at: float | None) -> str:
    if at is None:
        return ""
    return dt.datetime.fromtimestamp(at, dt.UTC).isoformat(timespec="milliseconds")


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"
