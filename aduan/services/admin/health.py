"""What /healthz reports: database, Redis and queues."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app
from rq import Worker
from sqlalchemy import text

from aduan.extensions import db
from aduan.redis_conn import EmbeddedRedis, get_redis

log = logging.getLogger(__name__)
HEARTBEAT_KEY = "aduan:worker-heartbeat"


def record_worker_heartbeat(token: str) -> None:
    get_redis(current_app).set(HEARTBEAT_KEY, token, ex=3600)


def check() -> tuple[bool, dict]:
    """Return (healthy, report). Healthy means the database and Redis both answer."""
    report: dict = {"database": _database(), "redis": _redis()}
    if report["redis"]["ok"]:
        report["queues"] = _queues()
    healthy = report["database"]["ok"] and report["redis"]["ok"]
    report["status"] = "ok" if healthy else "degraded"
    return healthy, report


def _database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True, "dialect": db.engine.dialect.name}
    except Exception as exc:  # any failure is "down"; the type is enough, no details leak
        db.session.rollback()
        log.warning("health database down error=%s", type(exc).__name__)
        return {"ok": False, "error": type(exc).__name__}


def _redis() -> dict:
    try:
        get_redis(current_app).ping()
        return {"ok": True, "embedded": _is_embedded(current_app.config["REDIS_URL"])}
    except Exception as exc:
        log.warning("health redis down error=%s", type(exc).__name__)
        return {"ok": False, "error": type(exc).__name__}


def _is_embedded(url: str) -> bool:
    embedded = EmbeddedRedis(Path(current_app.config["INSTANCE_DIR"]) / "redis")
    return url == embedded.url


def _queues() -> dict:
    from aduan.queues import ALL_QUEUES, get_queue

    queues = {name: {"queued": get_queue(name).count} for name in ALL_QUEUES}
    workers = Worker.all(connection=get_redis(current_app))
    return {"queues": queues, "workers": len(workers)}
