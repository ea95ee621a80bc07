"""The default needs no server: SQLite plus an embedded real Redis, a job enqueued and run."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
import redis

from aduan import create_app
from aduan.redis_conn import EmbeddedRedis


def test_embedded_redis_runs_a_job_on_sqlite(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(f"ADUAN_{name}", raising=False)
    monkeypatch.setenv("ADUAN_INSTANCE_DIR", str(tmp_path))
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    from aduan.queues import enqueue
    from aduan.redis_conn import get_redis
    from aduan.services.admin.health import HEARTBEAT_KEY
    from workers.jobs import heartbeat
    from workers.worker import AppWorker

    with app.app_context():
        job = enqueue("default", heartbeat, "smoke-123")
        AppWorker._app = app
        AppWorker(["default"], connection=get_redis(app)).work(burst=True)
        assert job.get_status(refresh=True) == "finished"
        assert get_redis(app).get(HEARTBEAT_KEY) == b"smoke-123"
        assert app.config["REDIS_URL"].startswith("unix://")
    embedded = app.extensions["aduan_embedded_redis"]
    pid = embedded.process.pid
    embedded.stop()
    assert not _alive(pid)


def test_embedded_redis_is_reused_when_already_up(tmp_path):
    first = EmbeddedRedis(tmp_path)
    url = first.start()
    try:
        second = EmbeddedRedis(tmp_path)
        assert second.start() == url
        assert second.process is None  # it did not start another server
        redis.Redis.from_url(url).set("k", "v")
        assert redis.Redis.from_url(second.url).get("k") == b"v"
    finally:
        first.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_make_run_launcher_serves_healthz_with_demo_data_and_stops_cleanly(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADUAN_")}
    env["ADUAN_INSTANCE_DIR"] = str(tmp_path)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aduan.devrun", "--port", str(port), "--demo-tickets", "30"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )
    try:
        body = _wait_for_health(port, proc)
        assert body["database"]["dialect"] == "sqlite"
        assert body["redis"] == {"ok": True, "embedded": True}
        assert _wait_for_workers(port) >= 1
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, output
    assert "Traceback" not in output, output
    assert "Demo data created: 30 tickets" in output and "Aduan stopped." in output
    leftover = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True)
    assert leftover.stdout.strip() == "", "a process outlived the launcher"


def _wait_for_health(port: int, proc) -> dict:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                return json.load(r)
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the launcher never answered /healthz")


def _wait_for_workers(port: int) -> int:
    deadline = time.monotonic() + 30
    workers = 0
    while time.monotonic() < deadline and workers == 0:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            workers = json.load(r)["queues"]["workers"]
        time.sleep(0.3)
    return workers


def test_rate_limits_use_the_embedded_redis(tmp_path, monkeypatch):
    from aduan.extensions import limiter

    embedded = EmbeddedRedis(tmp_path / "redis")
    url = embedded.start()
    try:
        monkeypatch.setenv("ADUAN_INSTANCE_DIR", str(tmp_path))
        monkeypatch.setenv("ADUAN_REDIS_URL", url)
        app = create_app()
        assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis+unix://")
        with app.test_request_context("/"):
            assert limiter.storage.check()  # a real round trip to that Redis
    finally:
        embedded.stop()
