"""An intake worker that counts its SQL statements and transactions, for the cost phase of
``bench/ingest.py``: ``python bench/counting_worker.py DIR`` serves the ``ingest`` queue as
``flask --app wsgi worker --queue ingest --without-scheduler`` does (the same command, in the
same process) and, when it stops, writes ``statements commits rollbacks`` to ``DIR/<pid>``.

Each statement is one round trip to PostgreSQL; psycopg adds one for each transaction's
BEGIN and one for its COMMIT or ROLLBACK.
"""

from __future__ import annotations

import atexit
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(out: Path) -> None:
    from sqlalchemy import event

    from aduan.extensions import db
    from workers.cli import worker_command
    from wsgi import app

    counts: Counter = Counter()
    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", lambda *_: counts.update(["statements"]))
        event.listen(engine, "commit", lambda *_: counts.update(["commits"]))
        event.listen(engine, "rollback", lambda *_: counts.update(["rollbacks"]))
        atexit.register(
            lambda: (out / str(os.getpid())).write_text(
                f"{counts['statements']} {counts['commits']} {counts['rollbacks']}\n"
            )
        )
        worker_command.main(["--queue", "ingest", "--without-scheduler"], standalone_mode=False)


def read(out: Path) -> dict[str, int]:
    """The counts of every counting worker that wrote to ``out``, summed."""
    total: Counter = Counter()
    for path in out.iterdir():
        statements, commits, rollbacks = (int(v) for v in path.read_text().split())
        total.update(statements=statements, commits=commits, rollbacks=rollbacks)
    return dict(total)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
