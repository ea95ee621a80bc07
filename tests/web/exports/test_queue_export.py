"""Issue #15: a queue export holds exactly the rows of the officer's queue (its filters and
search), none of another unit's or agency's; it is written by a job, the progress page reaches
"ready", and only the officer who asked downloads it."""

from __future__ import annotations

import datetime as dt

import pytest

from aduan.extensions import db
from aduan.models.exports import Export
from aduan.services.exports import running
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit, login
from tests.web.exports.helpers import (
    csrf,
    csv_rows,
    export_id_of,
    run_jobs,
    xlsx_rows,
)


@pytest.fixture
def desks(db):
    """Agency A: an officer of unit 1; tickets in unit 1 (three about a drain, one about a
    lamp), in unit 2; agency B: tickets about a drain too."""
    a, b = gen_agency(code="ZIR"), gen_agency(code="KUA")
    unit1, unit2 = gen_unit(a, name="Unit Satu"), gen_unit(a, name="Unit Dua")
    officer = gen_officer(a, [unit1], name="Pegawai Satu", locale="en")
    other = gen_officer(a, [unit1], name="Pegawai Lain")
    b_unit = gen_unit(b)
    b_officer = gen_officer(b, [b_unit], roles=("complaint_manager",))
    received = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    mine = [
        gen_ticket(a, unit1, subject=f"Longkang tersumbat {n}", received_at=received)
        for n in range(3)
    ]
    mine.append(gen_ticket(a, unit1, subject="=HYPERLINK(\"http://x\") longkang",
                           received_at=received))  # fmt: skip
    lamp = gen_ticket(a, unit1, subject="Lampu jalan", received_at=received)
    elsewhere = gen_ticket(a, unit2, subject="Longkang unit dua", received_at=received)
    theirs = [gen_ticket(b, b_unit, subject="Longkang agensi B") for _ in range(2)]
    db.session.commit()
    return {"officer": officer, "other": other, "b_officer": b_officer, "mine": mine,
            "lamp": lamp, "elsewhere": elsewhere, "theirs": theirs}  # fmt: skip


def _ask(client, fmt: str, **filters) -> int:
    token = csrf(client)
    form = {"csrf_token": token, "queue": "unit", "format": fmt, **filters}
    return export_id_of(client.post("/exports/queue", data=form))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_queue_export_holds_exactly_the_rows_of_the_filtered_queue(
    fmt, desks, client, worker_app
):
    login(client, desks["officer"])
    export_id = _ask(client, fmt, q="longkang")
    page = client.get(f"/exports/{export_id}").get_data(as_text=True)
    assert 'data-state="queued"' in page and "hx-get" in page  # polls while it waits
    run_jobs()
    page = client.get(f"/exports/{export_id}/progress").get_data(as_text=True)
    assert 'data-state="ready"' in page and 'value="100"' in page and "Download" in page
    response = client.get(f"/exports/{export_id}/download")
    assert response.status_code == 200
    rows = csv_rows(response.data) if fmt == "csv" else xlsx_rows(response.data)
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Reference", "Received"]
    expected = {t.reference for t in desks["mine"]}
    assert {r[0] for r in body} == expected and len(body) == len(expected)
    forbidden = [desks["lamp"], desks["elsewhere"], *desks["theirs"]]
    text = repr(rows)
    assert not any(t.reference in text for t in forbidden)
    injected = next(r for r in body if "HYPERLINK" in r[header.index("Subject")])
    assert injected[header.index("Subject")].startswith("'=HYPERLINK")
    assert db.session.get(Export, export_id).done == len(expected)


def test_only_the_officer_who_asked_downloads_or_sees_the_export(desks, client, make_client,
                                                                  worker_app):  # fmt: skip
    login(client, desks["officer"])
    export_id = _ask(client, "csv")
    run_jobs()
    assert client.get(f"/exports/{export_id}/download").status_code == 200
    for intruder in (desks["other"], desks["b_officer"]):
        stranger = make_client()
        login(stranger, intruder)
        for path in ("", "/progress", "/download"):
            response = stranger.get(f"/exports/{export_id}{path}")
            assert response.status_code == 404, (intruder.name, path)
        assert f"/exports/{export_id}" not in stranger.get("/exports").get_data(as_text=True)


def test_a_bad_format_is_refused_with_a_message(desks, client):
    login(client, desks["officer"])
    form = {"csrf_token": csrf(client), "queue": "unit", "format": "pdf", "q": "longkang"}
    response = client.post("/exports/queue", data=form)
    assert response.headers["Location"] == "/inbox?queue=unit&q=longkang"
    response = client.get(response.headers["Location"])
    assert "Choose CSV or XLSX." in response.get_data(as_text=True)
    assert db.session.query(Export).count() == 0


def test_expired_files_are_deleted_and_no_longer_downloadable(desks, client, worker_app):
    login(client, desks["officer"])
    export_id = _ask(client, "xlsx")
    run_jobs()
    export = db.session.get(Export, export_id)
    path = running.files.path_of(export.stored_as)
    assert path.exists()
    assert running.expire(export.expires_at + dt.timedelta(seconds=1)) == 1
    assert not path.exists() and db.session.get(Export, export_id).state == "expired"
    assert client.get(f"/exports/{export_id}/download").status_code == 404
    assert "expired" in client.get(f"/exports/{export_id}").get_data(as_text=True)
