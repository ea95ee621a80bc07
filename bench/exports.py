"""Export benchmark (issue #15): peak memory of the XLSX export of a 100,000-row queue.

Seeds N open tickets with SQL into a private database (``aduan_bench_exports``), then runs the
export job (``aduan.services.exports.running.run``) for the complaint manager's "My units"
queue — every open ticket of the agency — in a child process per format, and prints the
child's peak RSS (``ru_maxrss``), its RSS before the job started, the rows written, the file
size and the time. Target: XLSX peak < 200 MB (streamed: openpyxl write-only workbook).
Usage: .venv/bin/python bench/exports.py [--tickets 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, demo_app, drop_database  # noqa: E402

NAME = "aduan_bench_exports"
GENERATE = """
WITH units AS (SELECT array_agg(id ORDER BY id) AS ids FROM units WHERE agency_id = :agency),
     officers AS (SELECT array_agg(id ORDER BY id) AS ids FROM officers
                  WHERE agency_id = :agency)
INSERT INTO tickets (reference, agency_id, type, status, complexity, unit_id, assignee_id,
    origin_channel, subject, description, language, state_code, received_at,
    acknowledge_due_at, first_response_due_at, resolve_due_at, sla_paused_seconds,
    created_at, updated_at, version)
SELECT 'EXP-' || lpad(g::text, 8, '0'), :agency,
    (ARRAY['aduan','aduan','aduan','pertanyaan','cadangan'])[1 + g % 5],
    (ARRAY['baharu','diterima','dalam_tindakan','menunggu_pengadu','dipanjangkan'])[1 + g % 5],
    'biasa', units.ids[1 + g % array_length(units.ids, 1)],
    CASE WHEN g % 7 = 0 THEN NULL ELSE officers.ids[1 + g % array_length(officers.ids, 1)] END,
    (ARRAY['sms','email','web','whatsapp','telegram'])[1 + g % 5],
    'Aduan ' || (ARRAY['lampu jalan rosak di Jalan Kenanga','sampah tidak dikutip seminggu',
                       'longkang tersumbat selepas hujan','pokok tumbang menghalang jalan',
                       '=bising malam dari kilang','paip bocor di taman'])[1 + g % 6] || ' ' || g,
    'Keterangan aduan nombor ' || g, 'ms', '10',
    now() - (g % 60) * interval '1 day', now() - (g % 60) * interval '1 day' + interval '1 day',
    now() - (g % 60) * interval '1 day' + interval '7 days',
    now() - (g % 60) * interval '1 day' + (15 + g % 11) * interval '1 day',
    0, now() - (g % 60) * interval '1 day', now() - (g % 60) * interval '1 day', 1
FROM generate_series(1, CAST(:n AS integer)) AS g, units, officers
"""


def rss_mb() -> float:
    """This process's peak resident set so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(fmt: str) -> None:
    """In a fresh process: ask for the export as the manager, run the job, print JSON."""
    from aduan import create_app
    from aduan.extensions import db
    from aduan.models import Officer
    from aduan.models.exports import Export
    from aduan.services.exports import files, running

    app = create_app()
    with app.app_context():
        manager = db.session.scalar(db.select(Officer).where(Officer.username == "pengurus"))
        export = Export(agency_id=manager.agency_id, officer_id=manager.id, kind="queue",
                        format=fmt, params={"queue": "unit", "filters": {}, "lang": "ms"},
                        state="queued")  # fmt: skip
        db.session.add(export)
        db.session.commit()
        before = rss_mb()
        started = time.perf_counter()
        state = running.run(export.id)
        elapsed = time.perf_counter() - started
        export = db.session.get(Export, export.id)
        size = files.path_of(export.stored_as).stat().st_size if export.stored_as else 0
        print(json.dumps({"format": fmt, "state": state, "rows": export.done,
                          "rss_before_mb": round(before, 1), "peak_rss_mb": round(rss_mb(), 1),
                          "seconds": round(elapsed, 1), "file_mb": round(size / 2**20, 1)}))  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--child", choices=("csv", "xlsx"))
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    app = demo_app(NAME)
    try:
        with app.app_context():
            generated = generate(args.tickets)
        results = [run_child(fmt) for fmt in ("xlsx", "csv")]
    finally:
        drop_database(NAME)
    print(f"tickets seeded: {args.tickets:,} in {generated:.1f} s")
    print("| format | rows | RSS before the job | peak RSS | time | file |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['format']} | {r['rows']:,} | {r['rss_before_mb']} MB | {r['peak_rss_mb']} MB"
              f" | {r['seconds']} s | {r['file_mb']} MB |")  # fmt: skip
    xlsx = results[0]
    verdict = "met" if xlsx["peak_rss_mb"] < 200 and xlsx["state"] == "ready" else "MISSED"
    print(f"XLSX peak RSS {xlsx['peak_rss_mb']} MB (target < 200 MB): {verdict}")
    return 0 if verdict == "met" else 1


def generate(n: int) -> float:
    from aduan.extensions import db
    from aduan.models import Officer

    started = time.perf_counter()
    manager = db.session.scalar(db.select(Officer).where(Officer.username == "pengurus"))
    db.session.execute(db.text(GENERATE), {"agency": manager.agency_id, "n": n})
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(db.text("VACUUM ANALYZE tickets"))
    db.session.remove()
    db.engine.dispose()
    return time.perf_counter() - started


def run_child(fmt: str) -> dict:
    command = [sys.executable, __file__, "--child", fmt]
    done = subprocess.run(command, cwd=ROOT, env=os.environ, check=True, capture_output=True,
                          text=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
