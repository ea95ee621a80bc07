"""``make run``: the whole service on one machine with no server installed.

Starts the embedded Redis (unless ``ADUAN_REDIS_URL`` is set), applies migrations, seeds the
demo data the first time, then runs the web app on 127.0.0.1:5000, one RQ worker (with RQ's
scheduler for delayed retries) and the periodic-job scheduler. Ctrl-C (or SIGTERM) stops
them, then Redis.

The console stays quiet: the worker's and scheduler's per-job lines go to
``instance/logs/worker.log``, and the banner with the demo sign-ins is printed only once the
web server accepts connections, so it is the last thing on the screen when the page opens.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from aduan.processes import spawn
from aduan.redis_conn import EmbeddedRedis


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    from aduan import create_app

    app = create_app()
    embedded = None
    if not app.config.get("REDIS_URL"):
        embedded = EmbeddedRedis(Path(app.config["INSTANCE_DIR"]) / "redis")
        os.environ["ADUAN_REDIS_URL"] = embedded.start()
        app.config["REDIS_URL"] = os.environ["ADUAN_REDIS_URL"]
    children: list[subprocess.Popen] = []
    stopping = {"now": False}

    def stop(signum=None, frame=None):
        stopping["now"] = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    log_path = Path(app.config["INSTANCE_DIR"]) / "logs" / "worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        sign_ins = _prepare(app, args.demo_tickets)
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        with open(log_path, "a", buffering=1) as worker_log:
            quiet = {"stdout": worker_log, "stderr": subprocess.STDOUT}
            children.append(spawn([*flask, "worker", "--with-scheduler"], **quiet))
            children.append(spawn([*flask, "scheduler"], **quiet))
        web = [*flask, "run", "--host", args.host, "--port", str(args.port), "--no-reload"]
        children.append(spawn(web))
        if not _wait_until_listening(args.host, args.port, children, stopping):
            print("the web server did not start; shutting down", file=sys.stderr)
            return 1
        print("\n".join(banner(args.host, args.port, log_path, sign_ins)), flush=True)
        while not stopping["now"]:
            if any(child.poll() is not None for child in children):
                print("a process stopped unexpectedly; shutting down", file=sys.stderr)
                return 1
            time.sleep(0.3)
        return 0
    finally:
        _stop_all(children)
        if embedded:
            embedded.stop()
        print("Aduan stopped.", flush=True)


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    parser.add_argument("--demo-tickets", type=int, default=200)
    return parser.parse_args(argv)


def _prepare(app, demo_tickets: int) -> list[str]:
    """Migrate and seed; the demo sign-in lines to print in the banner."""
    from flask_migrate import upgrade

    from aduan.services.admin import demo

    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "alembic"))
        result = demo.seed(demo_tickets)
        if result["created"]:
            print(f"Demo data created: {result['tickets']} tickets.", flush=True)
        return demo.sign_in_lines(result)


def _wait_until_listening(host: str, port: int, children, stopping, timeout: float = 120) -> bool:
    """True once ``host:port`` accepts a connection; False if a child dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stopping["now"]:
        if any(child.poll() is not None for child in children):
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def banner(host: str, port: int, log_path: Path, sign_ins: list[str]) -> list[str]:
    """What ``make run`` prints once the server listens: the address, the demo sign-ins,
    where the workers' log is, and how to stop."""
    rule = "=" * 68
    return [
        "",
        rule,
        f"Aduan is running on http://{host}:{port}/  (Ctrl-C stops it)",
        *sign_ins,
        "  Admins set up two-factor sign-in (an authenticator app) at their first admin page.",
        f"Worker and scheduler log: {log_path}",
        rule,
    ]


def _stop_all(children: list[subprocess.Popen]) -> None:
    for child in reversed(children):
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 10
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()


if __name__ == "__main__":
    sys.exit(main())
