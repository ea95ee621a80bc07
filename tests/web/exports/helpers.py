"""Running export jobs in tests: a burst worker on the default queue, in the test's app."""

from __future__ import annotations

import csv
import io
import re

import redis as redis_lib
from openpyxl import load_workbook
from rq import Queue

from aduan.extensions import db
from tests.conftest import REDIS_URL
from workers.worker import AppWorker

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def run_jobs() -> None:
    """Run every queued job of the default queue, then forget what the session cached."""
    connection = redis_lib.Redis.from_url(REDIS_URL)
    queue = Queue("test-default", connection=connection)
    AppWorker([queue], connection=connection).work(burst=True)
    db.session.expire_all()


def csrf(client, path: str = "/inbox") -> str:
    match = TOKEN.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def export_id_of(response) -> int:
    """The export id a request for an export was sent on to (``/exports/<id>``)."""
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    match = re.search(r"/exports/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]
