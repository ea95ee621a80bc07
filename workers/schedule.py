"""Periodic jobs: one declarative list, run by exactly one scheduling process, once a period.

- **One scheduler**: ``flask --app wsgi scheduler`` holds a Redis lock (SET NX with expiry,
  renewed every tick), so a second scheduler waits as a hot standby.
- **Once a period, across restarts**: each (job, period) the scheduler hands over is a
  ``periodic_runs`` row in the database, written in the same transaction as the enqueue. A
  period with a row is not enqueued again — after a Redis restart (which forgets queues and
  marks) or a scheduler restart — unless its job was stranded (enqueued a while ago, not done,
  and no longer alive in RQ: see ``aduan.queues.job_is_live``). The job runs through
  ``run_periodic``, which claims the row first: a period already done, or running elsewhere, is
  skipped, so a duplicate delivery runs nothing.
- **Rides out its backing services**: a tick that fails on Redis or the database is logged and
  tried again with a growing pause (at most ``MAX_BACKOFF`` seconds); the loop never exits on
  them, and resumes by itself when they are back.

Jobs must still be idempotent: a worker killed half-way through a job runs it again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import logging
import time
import uuid

from flask import current_app
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import or_, update
from sqlalchemy.exc import SQLAlchemyError

from aduan.extensions import db
from aduan.models.base import utcnow
from aduan.models.schedule import PeriodicRun
from aduan.queues import SWEEPS, enqueue, job_is_live, safe_job_id
from aduan.redis_conn import get_redis

log = logging.getLogger(__name__)
LOCK_KEY = "aduan:scheduler-lock"
RUN_JOB = "workers.schedule.run_periodic"
MAX_BACKOFF = 30.0
# A period enqueued this long ago and not done is looked at again: re-enqueued if its job died.
STRANDED_AFTER = dt.timedelta(minutes=2)
# A claim this old without ``done_at`` belongs to a worker that died: another may take it.
CLAIM_EXPIRES = dt.timedelta(minutes=15)


@dataclasses.dataclass(frozen=True)
class Periodic:
    name: str  # stable id: also the job-id prefix
    func: str  # "module:function", imported when due
    every_seconds: int
    queue: str = SWEEPS


# Other modules add their entries with ``register_periodic`` at import time of workers.periodic.
PERIODIC: list[Periodic] = []
PERIODIC_MODULES = ("workers.periodic",)
# Watches: cheap checks ("module:function") the scheduler runs itself at every tick, no job and
# no period mark — for what cannot wait for a worker to be free (see ``register_watch``).
WATCHES: list[str] = []


def register_periodic(entry: Periodic) -> None:
    if all(p.name != entry.name for p in PERIODIC):
        PERIODIC.append(entry)


def register_watch(path: str) -> None:
    """Run ``path`` ("module:function", no arguments) in the scheduler at every tick. It must
    be quick and safe to run at any time; its errors are logged and do not stop the tick."""
    if path not in WATCHES:
        WATCHES.append(path)


def run_watches() -> None:
    load_periodic()  # the modules that register watches too
    for path in WATCHES:
        try:
            _resolve(path)()
        except (RedisError, SQLAlchemyError) as exc:
            _rollback_quietly()
            log.warning("scheduler watch failed watch=%s error=%s", path, type(exc).__name__)


def load_periodic() -> list[Periodic]:
    for name in PERIODIC_MODULES:
        importlib.import_module(name)
    return list(PERIODIC)


def _resolve(path: str):
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _entry(name: str) -> Periodic:
    return next(entry for entry in load_periodic() if entry.name == name)


def job_id_for(entry: Periodic, slot: int) -> str:
    return f"periodic-{entry.name}-{slot}"


def tick(now: float | None = None) -> list[str]:
    """Hand over every periodic job whose current period has no run yet (or whose run was
    stranded); return the job ids enqueued. Each row is committed with its enqueue."""
    now = time.time() if now is None else now
    enqueued = []
    for entry in load_periodic():
        slot = int(now // entry.every_seconds)
        if _hand_over(entry, slot):
            enqueued.append(job_id_for(entry, slot))
    return enqueued


def _hand_over(entry: Periodic, slot: int) -> bool:
    run = db.session.get(PeriodicRun, (entry.name, slot), with_for_update=True)
    if run is not None and not _stranded(entry, slot, run):
        db.session.rollback()
        return False
    if run is None:
        db.session.add(PeriodicRun(name=entry.name, slot=slot, enqueued_at=utcnow()))
    else:
        run.enqueued_at, run.started_at = utcnow(), None
        log.warning("periodic run stranded: enqueued again name=%s slot=%s", entry.name, slot)
    try:
        db.session.flush()  # a standby that got here too finds the row: one of us enqueues
        enqueue(entry.queue, RUN_JOB, entry.name, slot, job_id=job_id_for(entry, slot))
    except Exception:
        db.session.rollback()  # nothing marked: the next tick tries again
        raise
    db.session.commit()
    return True


def _stranded(entry: Periodic, slot: int, run: PeriodicRun) -> bool:
    if run.done_at is not None or utcnow() - run.enqueued_at < STRANDED_AFTER:
        return False
    if run.started_at is not None and utcnow() - run.started_at < CLAIM_EXPIRES:
        return False  # running now (a long job): its worker marks it done
    try:
        job = Job.fetch(safe_job_id(job_id_for(entry, slot)), connection=get_redis(current_app))
    except NoSuchJobError:
        return True  # Redis forgot it (a restart): the period never ran
    return not job_is_live(job)


def run_periodic(name: str, slot: int):
    """The job behind every periodic entry: claim the period, run the entry's function, mark
    the period done. A period done already, or claimed by a live run, is skipped."""
    if not _claim(name, slot):
        log.info("periodic skipped name=%s slot=%s: done or running", name, slot)
        return "skipped"
    result = _resolve(_entry(name).func)()
    db.session.execute(
        update(PeriodicRun)
        .where(PeriodicRun.name == name, PeriodicRun.slot == slot)
        .values(done_at=utcnow())
    )
    db.session.commit()
    return result


def _claim(name: str, slot: int) -> bool:
    now = utcnow()
    claimed = db.session.execute(
        update(PeriodicRun)
        .where(
            PeriodicRun.name == name,
            PeriodicRun.slot == slot,
            PeriodicRun.done_at.is_(None),
            or_(PeriodicRun.started_at.is_(None), PeriodicRun.started_at < now - CLAIM_EXPIRES),
        )
        .values(started_at=now)
    ).rowcount
    db.session.commit()
    return bool(claimed)


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
    try:
        redis = get_redis(current_app)
        if redis.get(LOCK_KEY) == owner.encode():
            redis.delete(LOCK_KEY)
    except RedisError as exc:  # the lock expires on its own
        log.warning("scheduler lock not released error=%s", type(exc).__name__)


def run(interval: float = 5.0, iterations: int | None = None, sleep=time.sleep) -> None:
    """The scheduler loop (one per deployment; others stand by on the lock). Redis or the
    database being away pauses it, with a growing pause, instead of ending it."""
    owner = uuid.uuid4().hex
    count, pause = 0, interval
    try:
        while iterations is None or count < iterations:
            pause = _tick_safely(owner, interval, pause)
            count += 1
            sleep(pause)
    finally:
        release_lock(owner)


def _tick_safely(owner: str, interval: float, pause: float) -> float:
    """One tick; the pause before the next (doubled after a failure, back to ``interval``
    after a success)."""
    try:
        if acquire_lock(owner):
            for job_id in tick():
                log.info("periodic enqueued job_id=%s", job_id)
            run_watches()
        return interval
    except (RedisError, SQLAlchemyError) as exc:
        _rollback_quietly()
        pause = min(max(pause, interval) * 2, MAX_BACKOFF)
        log.warning("scheduler tick failed error=%s retry_in=%.0fs", type(exc).__name__, pause)
        return pause


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.remove()  # the connection is gone: a new one next time
