"""The periodic schedule: once a period across Redis and scheduler restarts, and a scheduler
that rides out Redis going away instead of dying with it.

These run a real Redis server of their own on its own port (never the machine's shared one),
so it can be stopped and started."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import redis as redis_lib
from rq import Queue

from aduan.extensions import db
from aduan.models.base import utcnow
from aduan.models.schedule import PeriodicRun
from tests.conftest import make_app
from workers import schedule

RUNS: list[str] = []
HOUR = 3600
NOW = 1_800_000_000.0  # a fixed moment: period HOUR number 500_000


def count_run() -> str:
    RUNS.append("ran")
    return "ran"


@pytest.fixture
def scheduler_app(app_ctx, database_url, tmp_path, own_redis, monkeypatch):
    """An app on the shared test database and its own Redis, with one hourly test job."""
    application = make_app(database_url, tmp_path, REDIS_URL=own_redis.url)
    monkeypatch.setattr(schedule, "PERIODIC_MODULES", ())
    monkeypatch.setattr(schedule, "WATCHES", [])
    monkeypatch.setattr(
        schedule,
        "PERIODIC",
        [schedule.Periodic("count", "tests.workers.test_schedule:count_run", HOUR)],
    )
    RUNS.clear()
    with application.app_context():
        yield application
        db.session.remove()


def queued(server) -> list[str]:
    return Queue("test-sweeps", connection=redis_lib.Redis.from_url(server.url)).job_ids


def run_queued_job(server) -> None:
    job = Queue("test-sweeps", connection=redis_lib.Redis.from_url(server.url)).jobs[0]
    schedule.run_periodic(*job.args)


def test_a_period_is_handed_over_once_and_its_job_runs_once(scheduler_app, own_redis):
    assert schedule.tick(NOW) == ["periodic-count-500000"]
    assert schedule.tick(NOW + 60) == []
    run_queued_job(own_redis)
    run_queued_job(own_redis)  # a duplicate delivery of the same period runs nothing
    assert RUNS == ["ran"]
    assert schedule.tick(NOW + HOUR) == ["periodic-count-500001"]


def test_a_redis_restart_does_not_run_a_done_period_again(scheduler_app, own_redis):
    schedule.tick(NOW)
    run_queued_job(own_redis)
    own_redis.stop()
    own_redis.start()  # keeps nothing: queues and keys are gone
    assert schedule.tick(NOW + 600) == []
    assert RUNS == ["ran"]


def test_a_period_whose_job_redis_forgot_is_handed_over_again(scheduler_app, own_redis):
    schedule.tick(NOW)
    own_redis.stop()
    own_redis.start()  # the queued job is lost before any worker took it
    run = db.session.get(PeriodicRun, ("count", 500000))
    run.enqueued_at = utcnow() - schedule.STRANDED_AFTER - dt.timedelta(seconds=1)
    db.session.commit()
    assert schedule.tick(NOW + 600) == ["periodic-count-500000"]
    run_queued_job(own_redis)
    assert RUNS == ["ran"]


def test_the_scheduler_rides_out_a_redis_outage_and_resumes_by_itself(scheduler_app, own_redis):
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 3:
            own_redis.start()

    own_redis.stop()  # down for the first three ticks
    schedule.run(interval=5.0, iterations=5, sleep=sleep)  # no exception: it never exits
    assert pauses == [10.0, 20.0, 30.0, 5.0, 5.0]
    assert queued(own_redis) == [f"periodic-count-{int(time.time() // HOUR)}"]
    assert db.session.scalar(db.select(db.func.count()).select_from(PeriodicRun)) == 1


def test_a_standby_scheduler_enqueues_nothing_while_the_lock_is_held(scheduler_app, own_redis):
    assert schedule.acquire_lock("active")
    assert not schedule.acquire_lock("standby")
    schedule.run(interval=5.0, iterations=1, sleep=lambda _s: None)
    assert queued(own_redis) == []
