"""``make run``: the whole service on one machine with no server installed.

Starts the embedded Redis (unless ``ADUAN_REDIS_URL`` is set), applies migrations, seeds the
demo data the first time, then runs the web app on 127.0.0.1:5000, one RQ worker (with RQ's
scheduler for delayed retries) and the periodic-job scheduler. Ctrl-C (or SIGTERM) stops
them, then Redis.
"""

from __future__ import annotations

import argparse
import os
import signal
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
    try:
        _prepare(app, args.demo_tickets)
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        children.append(spawn([*flask, "worker", "--with-scheduler"]))
        children.append(spawn([*flask, "scheduler"]))
        web = [*flask, "run", "--host", args.host, "--port", str(args.port), "--no-reload"]
        children.append(spawn(web))
        print(f"Aduan is running on http://{args.host}:{args.port}/  (Ctrl-C stops it)", flush=True)
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


def _prepare(app, demo_tickets: int) -> None:
    from flask_migrate import upgrade

    from aduan.services.admin import demo

    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "alembic"))
        result = demo.seed(demo_tickets)
        if result["created"]:
            print(f"Demo data created: {result['tickets']} tickets.")
            print("\n".join(demo.sign_in_lines(result)))


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
