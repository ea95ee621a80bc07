"""A worker rides out Redis going away and takes jobs again by itself; it builds its app when
it starts, not on its first job. Run as the README says, in a process of its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis as redis_lib
from rq import Queue
from rq.job import JobStatus

ROOT = Path(__file__).resolve().parents[2]


def start_worker(database_url: str, redis_url: str, instance: Path, *extra: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADUAN_")}
    env.update(
        ADUAN_DATABASE_URL=database_url,
        ADUAN_REDIS_URL=redis_url,
        ADUAN_QUEUE_PREFIX="own-",
        ADUAN_INSTANCE_DIR=str(instance),
    )
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--queue", "default"]
    return subprocess.Popen(
        [*command, *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip


def wait_finished(queue: Queue, job_id: str, seconds: float) -> str | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            job = queue.fetch_job(job_id)
            if job is not None and job.get_status() == JobStatus.FINISHED:
                return job.return_value()
        except redis_lib.RedisError:
            pass
        time.sleep(0.2)
    return None


@pytest.mark.slow
def test_a_worker_rides_out_a_redis_outage_and_takes_jobs_again(
    app_ctx, database_url, tmp_path, own_redis
):
    worker = start_worker(database_url, own_redis.url, tmp_path, "--without-scheduler")
    queue = Queue("own-default", connection=redis_lib.Redis.from_url(own_redis.url))
    try:
        queue.enqueue("workers.jobs.heartbeat", "before", job_id="before")
        assert wait_finished(queue, "before", 60) == "before"
        own_redis.stop()
        time.sleep(3)  # the worker's dequeue and heartbeat fail meanwhile
        own_redis.start()  # empty: Redis kept nothing
        queue.enqueue("workers.jobs.heartbeat", "after", job_id="after")
        assert wait_finished(queue, "after", 60) == "after"
        assert worker.poll() is None, "the worker process exited"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            output = worker.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            output = worker.communicate()[0]
            raise AssertionError("the worker did not stop on SIGTERM:\n" + output) from None
    assert worker.returncode == 0, output


def test_serve_starts_a_new_worker_until_redis_answers(app_ctx, own_redis, monkeypatch):
    from workers.worker import AppWorker, serve

    monkeypatch.setattr(AppWorker, "_app", app_ctx)

    connection = redis_lib.Redis.from_url(own_redis.url)
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:
            own_redis.start()
            Queue("own-default", connection=connection).enqueue(
                "workers.jobs.heartbeat", "back", job_id="back"
            )

    own_redis.stop()  # the worker cannot even register: RQ's own loop gives up at once
    restarts = serve(
        lambda: AppWorker(["own-default"], connection=connection), burst=True, sleep=sleep
    )
    assert (restarts, pauses) == (2, [1.0, 2.0])
    job = Queue("own-default", connection=connection).fetch_job("back")
    assert job.get_status() == JobStatus.FINISHED and job.return_value() == "back"


def test_a_worker_builds_its_app_when_it_starts(database_url, tmp_path, monkeypatch):
    from tests.conftest import REDIS_URL
    from workers.worker import AppWorker

    monkeypatch.setenv("ADUAN_DATABASE_URL", database_url)
    monkeypatch.setenv("ADUAN_REDIS_URL", REDIS_URL)
    monkeypatch.setenv("ADUAN_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setattr(AppWorker, "_app", None)
    AppWorker(["own-default"], connection=redis_lib.Redis.from_url(REDIS_URL))
    assert AppWorker._app is not None  # before any job: the first job does not wait for it
    assert AppWorker._app.config["REDIS_URL"] == REDIS_URL


@pytest.mark.parametrize(("queue", "warmed"), [("ingest", True), ("outbound", False)])
def test_an_intake_worker_loads_the_language_models_before_its_first_complaint(
    app, monkeypatch, queue, warmed
):
    from aduan.services.intake import language_detection
    from workers.cli import worker_command

    calls = []
    monkeypatch.setattr(language_detection, "warm", lambda: calls.append(True))
    result = app.test_cli_runner().invoke(
        worker_command, ["--queue", queue, "--burst", "--without-scheduler"]
    )
    assert result.exit_code == 0, result.output
    assert calls == ([True] if warmed else [])
