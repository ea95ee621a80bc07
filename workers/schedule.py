"""Periodic jobs: one declarative list, run by exactly one scheduling process.

``flask --app wsgi scheduler`` holds a Redis lock (SET NX with expiry, renewed every tick), so
a second scheduler waits as a hot standby instead of enqueuing twice. Each enqueue also carries
a job id made of the job name and its time slot (``unique=True``): even two schedulers that
both believed they held the lock would enqueue a slot once. Jobs must still be idempotent —
delivery is at-least-once.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import time
import uuid

from flask import current_app

from aduan.queues import SWEEPS, enqueue
from aduan.redis_conn import get_redis

log = logging.getLogger(__name__)
LOCK_KEY = "aduan:scheduler-lock"


@dataclasses.dataclass(frozen=True)
class Periodic:
    name: str  # stable id: also the job-id prefix
    func: str  # "module:function", imported when due
    every_seconds: int
    queue: str = SWEEPS


# Other modules add their entries with ``register_periodic`` at import time of workers.periodic.
PERIODIC: list[Periodic] = []
PERIODIC_MODULES = ("workers.periodic",)


def register_periodic(entry: Periodic) -> None:
    if all(p.name != entry.name for p in PERIODIC):
        PERIODIC.append(entry)


def load_periodic() -> list[Periodic]:
    for name in PERIODIC_MODULES:
        importlib.import_module(name)
    return list(PERIODIC)


def _resolve(path: str):
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def tick(now: float | None = None) -> list[str]:
    """Enqueue every periodic job whose slot has started; return the job ids enqueued."""
    now = time.time() if now is None else now
    enqueued = []
    for entry in load_periodic():
        slot = int(now // entry.every_seconds)
        job_id = f"periodic-{entry.name}-{slot}"
        redis = get_redis(current_app)
        # A marker per slot makes a slot fire once even after its job has finished.
        if not redis.set(f"aduan:periodic:{job_id}", 1, nx=True, ex=entry.every_seconds * 2 + 60):
            continue
        enqueue(entry.queue, _resolve(entry.func), job_id=job_id)
        enqueued.append(job_id)
    return enqueued


def acquire_lock(owner: str, ttl: int = 30) -> bool:
    """Take or renew the scheduler lock for ``owner``."""
    redis = get_redis(current_app)
    if redis.set(LOCK_KEY, owner, nx=True, ex=ttl):
        return True
    if redis.get(LOCK_KEY) == owner.encode():
        redis.expire(LOCK_KEY, ttl)
        return True
    return False


def release_lock(owner: str) -> None:
    redis = get_redis(current_app)
    if redis.get(LOCK_KEY) == owner.encode():
        redis.delete(LOCK_KEY)


def run(interval: float = 5.0, iterations: int | None = None) -> None:
    """The scheduler loop (one per deployment; others stand by on the lock)."""
    owner = uuid.uuid4().hex
    count = 0
    try:
        while iterations is None or count < iterations:
            if acquire_lock(owner):
                for job_id in tick():
                    log.info("periodic enqueued job_id=%s", job_id)
            count += 1
            time.sleep(interval)
    finally:
        release_lock(owner)
