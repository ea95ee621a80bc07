"""Queue names, the paths of the jobs services enqueue, and enqueueing, in one place. Split
by workload so one backlog cannot starve another: ingest (inbound events), outbound (messages
to citizens), sweeps (SLA), default."""

from __future__ import annotations

import re

from flask import current_app
from rq import Queue, Retry

from aduan.redis_conn import get_redis

INGEST = "ingest"
OUTBOUND = "outbound"
SWEEPS = "sweeps"
DEFAULT = "default"
ALL_QUEUES = (INGEST, OUTBOUND, SWEEPS, DEFAULT)

# Jobs that services enqueue, by dotted path: services sit below ``workers/`` and never import it.
INGEST_EVENT_JOB = "workers.intake_jobs.ingest_event"
DRAIN_INGEST_JOB = "workers.intake_jobs.drain_ingest"
SEND_OUTBOUND_JOB = "workers.outbound_jobs.send_outbound"

_JOB_ID_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def queue_name(name: str) -> str:
    prefix = current_app.config.get("QUEUE_PREFIX") or ""
    return f"{prefix}{name}"


def get_queue(name: str = DEFAULT) -> Queue:
    return Queue(
        queue_name(name),
        connection=get_redis(current_app),
        is_async=current_app.config.get("RQ_ASYNC", True),
    )


def safe_job_id(raw: str) -> str:
    """RQ job ids allow only [A-Za-z0-9_-]."""
    return _JOB_ID_SAFE.sub("_", raw)[:200]


def enqueue(name: str, func, *args, job_id: str | None = None, retry: Retry | None = None, **kw):
    """Enqueue ``func``; a ``job_id`` makes the enqueue idempotent while that job is pending."""
    options = {"retry": retry or Retry(max=5, interval=[10, 30, 60, 300, 900])}
    if job_id:
        options.update(job_id=safe_job_id(job_id), unique=True)
    return get_queue(name).enqueue(func, *args, **options, **kw)
