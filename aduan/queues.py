"""Queue names, the paths of the jobs services enqueue, and enqueueing, in one place. Split
by workload so one backlog cannot starve another: first (the sends a citizen is waiting on
now: acknowledgements and officers' replies), ingest (inbound events), outbound (every other
message: notices, reminders, digests, event webhooks), sweeps (SLA), default."""

from __future__ import annotations

import datetime as dt
import re

from flask import current_app
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from aduan.redis_conn import get_redis

FIRST = "first"
INGEST = "ingest"
OUTBOUND = "outbound"
SWEEPS = "sweeps"
DEFAULT = "default"
# The order a worker serving every queue takes jobs in. Under a backlog the complaint comes
# first: the sends a citizen waits on (short) before a drain holds the worker for up to
# DRAIN_SECONDS, and the drain — which makes the ticket and queues its acknowledgement — before
# notices, reminders and webhooks (OUTBOUND), sweeps and the rest, which wait out the backlog.
ALL_QUEUES = (FIRST, INGEST, OUTBOUND, SWEEPS, DEFAULT)
# Purposes of outbound rows sent from FIRST: a person is waiting on these now.
FIRST_PURPOSES = frozenset({"acknowledgement", "reply"})

# Jobs that services enqueue, by dotted path: services sit below ``workers/`` and never import it.
INGEST_EVENT_JOB = "workers.intake_jobs.ingest_event"
DRAIN_INGEST_JOB = "workers.intake_jobs.drain_ingest"
SEND_OUTBOUND_JOB = "workers.outbound_jobs.send_outbound"
DELIVER_WEBHOOK_JOB = "workers.webhook_jobs.deliver_webhook"
SEND_PASSWORD_RESET_JOB = "workers.account_jobs.send_password_reset"  # noqa: S105 (a path)
RUN_EXPORT_JOB = "workers.export_jobs.run_export"

_JOB_ID_SAFE = re.compile(r"[^A-Za-z0-9_-]")
# A started job whose worker has not been heard of for this long died with its worker (our
# non-forking workers run a job in their own process: a drain lasts about a minute at most).
STARTED_JOB_SILENCE = dt.timedelta(minutes=3)
# A retry scheduled this long ago and still not moved to its queue: no scheduler runs for it.
SCHEDULED_JOB_GRACE = dt.timedelta(minutes=1)


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
    options = {"retry": retry or _default_retry()}
    if job_id:
        options.update(job_id=safe_job_id(job_id), unique=True)
    return get_queue(name).enqueue(func, *args, **options, **kw)


def enqueue_new(name: str, func, calls: list[tuple[tuple, str]]) -> None:
    """Enqueue ``func`` once per (args, job id) of ``calls``, all in one Redis round trip.
    For the jobs of rows made just now: no job can hold their ids yet, so no unique check
    (``enqueue_once`` makes one per job, a round trip each)."""
    if not calls:
        return
    retry = _default_retry()
    get_queue(name).enqueue_many(
        [Queue.prepare_data(func, args, job_id=safe_job_id(job_id), retry=retry)
         for args, job_id in calls]
    )  # fmt: skip


def _default_retry() -> Retry:
    return Retry(max=5, interval=[10, 30, 60, 300, 900])


def job_is_live(job: Job, now: dt.datetime | None = None) -> bool:
    """True while ``job`` will still run, or runs now, on its own: waiting in its queue, started
    by a worker heard from lately, or scheduled for a time not long past. A job in any other
    state — finished, failed, stopped, canceled, deferred, a retry whose time passed with no
    scheduler to move it, or started by a worker that died — is stranded: the database is the
    source of truth, and the periodic reconcilers hand its work over again."""
    now = now or dt.datetime.now(dt.UTC)
    status = job.get_status(refresh=True)
    if status == JobStatus.QUEUED:
        return True
    if status == JobStatus.STARTED:
        heard = job.last_heartbeat or job.started_at
        return heard is not None and now - _aware(heard) < STARTED_JOB_SILENCE
    if status == JobStatus.SCHEDULED:
        due = _scheduled_time(job)
        return due is None or now - due < SCHEDULED_JOB_GRACE
    return False


def enqueue_once(name: str, func, *args, job_id: str, **kw) -> str:
    """Enqueue ``func`` as job ``job_id`` unless a live job of that id exists (``job_is_live``).
    Returns ``"new"``, ``"live"`` (left alone), ``"replaced"`` (a finished or failed job of that
    id made way) or ``"rescued"`` (a stranded job that had started or was waiting for a retry
    made way: its work never completed). Redis errors are the caller's."""
    try:
        enqueue(name, func, *args, job_id=job_id, **kw)
        return "new"
    except DuplicateJobError:
        try:
            job = Job.fetch(safe_job_id(job_id), connection=get_redis(current_app))
        except NoSuchJobError:
            job = None  # gone between the two calls
        if job is not None and job_is_live(job):
            return "live"
        outcome = "rescued" if job is not None and job.get_status() in _UNFINISHED else "replaced"
        if job is not None:
            job.delete()
        enqueue(name, func, *args, job_id=job_id, **kw)
        return outcome


_UNFINISHED = {JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.QUEUED}


def _scheduled_time(job: Job) -> dt.datetime | None:
    from rq.registry import ScheduledJobRegistry

    registry = ScheduledJobRegistry(job.origin, connection=job.connection)
    try:
        return _aware(registry.get_scheduled_time(job))
    except NoSuchJobError:
        return None


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
