"""Generic jobs. Each loads ids, calls a service and is safe to run twice."""

from __future__ import annotations

from aduan.services.admin import health


def heartbeat(token: str) -> str:
    """Proves a worker is alive: records ``token`` where /healthz and the smoke test read it."""
    health.record_worker_heartbeat(token)
    return token


def scheduled_heartbeat() -> str:
    """A periodic proof that the scheduler and a worker both run."""
    import time

    return heartbeat(f"scheduled-{int(time.time())}")
