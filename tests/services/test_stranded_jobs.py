"""No job is stranded: whatever RQ state a job is in, the database is the source of truth.

A retry that RQ scheduled with no scheduler to move it, or a job whose worker was killed under
it, used to count as alive for ever: the event was never retried (its attempts stayed put, so
it never reached quarantine) and the outbound row was never sent."""

from __future__ import annotations

import datetime as dt

import redis as redis_lib
from rq import Queue
from rq.job import JobStatus

from aduan.models import InboundEvent, OutboundMessage
from aduan.models.base import utcnow
from aduan.queues import SEND_OUTBOUND_JOB, job_is_live
from aduan.services.intake import handover, quarantine
from aduan.services.outbox import delivery
from aduan.services.outbox.enqueueing import queue_for
from tests.builders import gen_agency
from tests.conftest import REDIS_URL
from workers import intake_jobs

NOW = dt.datetime.now(dt.UTC)


def queue(name: str) -> Queue:
    return Queue(f"test-{name}", connection=redis_lib.Redis.from_url(REDIS_URL))


def failed_event(db, provider_id: str, attempts: int = 1) -> InboundEvent:
    event = InboundEvent(
        channel="sms",
        provider_id=provider_id,
        payload={},
        received_at=utcnow() - dt.timedelta(hours=3),
        attempts=attempts,
        error="Timeout: x",
    )
    db.session.add(event)
    db.session.commit()
    return event


def strand_as_scheduled_retry(job_id: str, name: str, func: str, *args) -> None:
    """What RQ leaves when a retry is scheduled and no scheduler runs: the job waits in
    ``rq:scheduled:<queue>`` with a time long past."""
    queue(name).enqueue_at(NOW - dt.timedelta(minutes=30), func, *args, job_id=job_id)


def strand_as_started_by_a_dead_worker(job_id: str, name: str, func: str, *args) -> None:
    job = queue(name).enqueue(func, *args, job_id=job_id)
    queue(name).remove(job)
    job.started_at = job.last_heartbeat = NOW - dt.timedelta(minutes=20)
    job.worker_name = "killed-worker"
    job.save()
    job.set_status(JobStatus.STARTED)


def test_a_retry_scheduled_with_no_scheduler_is_handed_over_and_counted(db):
    event = failed_event(db, "SM-scheduled")
    strand_as_scheduled_retry(f"ingest-{event.id}", "ingest", "workers.intake_jobs.ingest_event", 1)
    assert intake_jobs.requeue_stale_events() == 1
    assert queue("ingest").job_ids == [f"ingest-{event.id}"]
    db.session.refresh(event)
    assert event.attempts == 2 and event.error == handover.STRANDED_ERROR


def test_a_job_whose_worker_was_killed_is_handed_over_and_counted(db):
    event = failed_event(db, "SM-killed")
    strand_as_started_by_a_dead_worker(
        f"ingest-{event.id}", "ingest", "workers.intake_jobs.ingest_event", event.id
    )
    assert intake_jobs.requeue_stale_events() == 1
    assert queue("ingest").job_ids == [f"ingest-{event.id}"]
    db.session.refresh(event)
    assert event.attempts == 2


def test_an_event_whose_jobs_keep_getting_stranded_reaches_quarantine_for_admins(db):
    gen_agency(code="DEMO")
    event = failed_event(db, "SM-poison", attempts=intake_jobs.MAX_ATTEMPTS - 1)
    strand_as_started_by_a_dead_worker(
        f"ingest-{event.id}", "ingest", "workers.intake_jobs.ingest_event", event.id
    )
    intake_jobs.requeue_stale_events()  # counts the stranded attempt: now at the limit
    intake_jobs.requeue_stale_events()  # the next sweep quarantines it
    db.session.refresh(event)
    assert event.quarantined_at is not None
    [shown] = quarantine.list_quarantined()
    assert (shown["id"], shown["error"]) == (event.id, handover.STRANDED_ERROR)


def test_a_job_still_waiting_or_scheduled_ahead_is_left_alone_and_not_counted(db):
    waiting = failed_event(db, "SM-waiting")
    ahead = failed_event(db, "SM-ahead")
    queue("ingest").enqueue("workers.intake_jobs.ingest_event", 1, job_id=f"ingest-{waiting.id}")
    queue("ingest").enqueue_at(
        dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5), "workers.intake_jobs.ingest_event", 1,
        job_id=f"ingest-{ahead.id}",
    )  # fmt: skip
    assert intake_jobs.requeue_stale_events() == 0  # no "requeued=1" every minute for nothing
    db.session.refresh(waiting)
    assert waiting.attempts == 1


def test_an_outbound_row_whose_send_job_was_scheduled_with_no_scheduler_is_sent_again(db):
    row = OutboundMessage(
        channel="sms", to_handle="+60123456789", body="Aduan anda...", state="queued",
        attempts=1, next_attempt_at=utcnow() - dt.timedelta(minutes=10), template_variables={},
    )  # fmt: skip
    db.session.add(row)
    db.session.commit()
    sending = queue_for(row.purpose)  # an officer's reply: the "first" queue
    strand_as_scheduled_retry(f"send-{row.id}", sending, SEND_OUTBOUND_JOB, row.id)
    assert delivery.resend_due() == [row.id]
    assert queue(sending).job_ids == [f"send-{row.id}"]


def test_liveness_of_each_rq_state(app_ctx):
    q = queue("default")
    assert job_is_live(q.enqueue("workers.jobs.heartbeat", "a", job_id="queued"))
    fresh = q.enqueue("workers.jobs.heartbeat", "b", job_id="fresh-start")
    fresh.started_at = fresh.last_heartbeat = dt.datetime.now(dt.UTC)
    fresh.save()
    fresh.set_status(JobStatus.STARTED)
    assert job_is_live(fresh)
    for status in (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.DEFERRED):
        job = q.enqueue("workers.jobs.heartbeat", status.value, job_id=f"job-{status.value}")
        job.set_status(status)
        assert not job_is_live(job), status
