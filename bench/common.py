"""Shared pieces for the benchmarks: a fresh PostgreSQL database, gunicorn, load, percentiles.

Benchmarks run against real PostgreSQL and Redis on loopback and print ratios measured in the
same run (the machines are shared and noisy: compare within a run, not across runs).
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("ADUAN_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("ADUAN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def fresh_database(name: str) -> str:
    with psycopg.connect(f"{PG_BASE}/test", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_BASE}/{name}"


def drop_database(name: str) -> None:
    with psycopg.connect(f"{PG_BASE}/test", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict, port: int, workers: int = 3, threads: int = 4):
    """Serve ``app_spec`` (module:app) with gunicorn gthread workers; yield the base URL."""
    args = [
        sys.executable, "-m", "gunicorn", app_spec,
        "-b", f"127.0.0.1:{port}", "-w", str(workers), "-k", "gthread",
        "--threads", str(threads), "--log-level", "warning", "--backlog", "2048",
    ]  # fmt: skip
    proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/healthz")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def demo_app(name: str, *, reuse: bool = False):
    """A fresh database ``name`` migrated and seeded with the demo agency (no tickets), and an
    Aduan app configured for it through the environment, as production would be; ``reuse``
    keeps the database a previous run left and only migrates it to head."""
    import tempfile

    url = f"{PG_BASE}/{name}" if reuse else fresh_database(name)
    os.environ.update(
        ADUAN_DATABASE_URL=url, ADUAN_REDIS_URL=REDIS_URL,
        ADUAN_SECRET_KEY="bench", ADUAN_INSTANCE_DIR=tempfile.mkdtemp(prefix="aduan-bench-"),
    )  # fmt: skip
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    commands = [["db", "upgrade"]] + ([] if reuse else [["demo", "seed", "--tickets", "0"]])
    for command in commands:
        subprocess.run([*flask, *command], cwd=ROOT, check=True, capture_output=True)
    from aduan import create_app

    return create_app()
