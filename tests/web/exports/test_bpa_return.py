"""Issue #15: the monthly return to the Public Complaints Bureau — its numbers are the seeded
tickets' (computed here, independently of the SQL), per BPA category, for the manager's own
agency only; a platform administrator chooses any agency; a bad month is refused."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from aduan.extensions import db
from aduan.models import Category
from aduan.models.exports import Export
from aduan.vocabulary import BPA_CATEGORIES, TicketStatus
from tests.builders import gen_agency, gen_category, gen_officer, gen_ticket, gen_unit, login
from tests.web.exports.helpers import csrf, csv_rows, export_id_of, run_jobs, xlsx_rows

KL = ZoneInfo("Asia/Kuala_Lumpur")
MARCH = (dt.datetime(2026, 3, 1, tzinfo=KL), dt.datetime(2026, 4, 1, tzinfo=KL))


def _kl(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=KL)


# (category code or None, type, received, resolved, due, closed, status, merged)
A_SEEDS = [
    ("BPA-01", "aduan", _kl(2026, 3, 1, 0, 30), _kl(2026, 3, 10), _kl(2026, 3, 20), None,
     "selesai", False),  # the month's first half hour (still February in UTC)
    ("BPA-01", "aduan", _kl(2026, 3, 5), _kl(2026, 3, 25), _kl(2026, 3, 20), _kl(2026, 3, 26),
     "ditutup", False),
    ("BPA-01", "aduan", _kl(2026, 3, 15), None, _kl(2026, 4, 5), None, "dalam_tindakan", False),
    ("BPA-03", "aduan", _kl(2026, 2, 10), _kl(2026, 3, 3), _kl(2026, 3, 1), None, "selesai",
     False),
    ("BPA-03", "aduan", _kl(2026, 2, 20), None, _kl(2026, 3, 12), None, "dipanjangkan", False),
    ("OWN-01", "aduan", _kl(2026, 3, 8), None, _kl(2026, 3, 29), None, "baharu", False),
    (None, "aduan", _kl(2026, 3, 9), _kl(2026, 4, 2), _kl(2026, 3, 30), None, "selesai", False),
    ("BPA-01", "aduan", _kl(2026, 4, 1, 0, 30), None, None, None, "baharu", False),
    ("BPA-01", "pertanyaan", _kl(2026, 3, 10), None, None, None, "baharu", False),
    ("BPA-01", "aduan", _kl(2026, 3, 11), None, None, _kl(2026, 3, 11), "ditutup", True),
]  # fmt: skip
B_SEEDS = [
    ("BPA-01", "aduan", _kl(2026, 3, 12), None, _kl(2026, 4, 1), None, "baharu", False),
    ("BPA-02", "aduan", _kl(2026, 3, 13), _kl(2026, 3, 14), _kl(2026, 4, 1), None, "selesai",
     False),
]  # fmt: skip


def _seed(agency, seeds) -> None:
    unit = gen_unit(agency)
    own = Category(agency_id=agency.id, code="OWN-01", name_ms="Sendiri", name_en="Own")
    db.session.add(own)
    db.session.flush()
    first = None
    for code, kind, received, resolved, due, closed, status, merged in seeds:
        category = own if code == "OWN-01" else (gen_category(agency, code) if code else None)
        ticket = gen_ticket(agency, unit, type=kind, category=category, received_at=received)
        ticket.resolved_at, ticket.resolve_due_at, ticket.closed_at = resolved, due, closed
        ticket.status = status
        if merged:
            ticket.merged_into_id = first.id
        first = first or ticket
    db.session.flush()


def expected(seeds) -> dict[str, list[int]]:
    """The return's numbers per BPA code, computed from the seeds by hand's rules."""
    start, end = MARCH
    out = {code: [0] * (4 + len(TicketStatus)) for code, _ms, _en in BPA_CATEGORIES}
    statuses = TicketStatus.values()
    for code, kind, received, resolved, due, closed, status, merged in seeds:
        if kind != "aduan" or merged:
            continue
        row = out[code if code and code.startswith("BPA-") else "BPA-10"]
        in_month = start <= received < end
        row[0] += in_month
        if resolved and start <= resolved < end:
            row[1 if due is None or resolved <= due else 2] += 1
        row[3] += received < end and (resolved is None or resolved >= end) and (
            closed is None or closed >= end)  # fmt: skip
        if in_month:
            row[4 + statuses.index(status)] += 1
    return out


@pytest.fixture
def agencies(db):
    a, b = gen_agency(code="ZIR"), gen_agency(code="KUA")
    _seed(a, A_SEEDS)
    _seed(b, B_SEEDS)
    manager = gen_officer(a, roles=("complaint_manager",), locale="en")
    platform = gen_officer(a, roles=("officer",), platform_admin=True, locale="en")
    officer = gen_officer(a, roles=("officer",))
    db.session.commit()
    return a, b, manager, platform, officer


def _return(client, fmt: str, **form) -> list[list]:
    token = csrf(client, "/exports/bpa")
    export_id = export_id_of(
        client.post("/exports/bpa", data={"csrf_token": token, "format": fmt, **form})
    )
    run_jobs()
    response = client.get(f"/exports/{export_id}/download")
    assert response.status_code == 200
    rows = csv_rows(response.data) if fmt == "csv" else xlsx_rows(response.data)
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "BPA code")
    return rows[:header_at], rows[header_at:]


def _numbers(body) -> dict[str, list[int]]:
    return {r[0]: [int(v) for v in r[2:]] for r in body[1:] if r[0]}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_bpa_return_counts_the_managers_agency_only(fmt, agencies, client, worker_app):
    a, _b, manager, _platform, _officer = agencies
    login(client, manager)
    preamble, table = _return(client, fmt, month="2026-03")
    assert [str(v) for v in preamble[2][:2]] == ["Month", "2026-03"]
    assert "ZIR" in str(preamble[1][1])
    header = table[0]
    assert header[2:6] == ["Received", "Resolved within time", "Resolved late",
                           "Outstanding at month end"]  # fmt: skip
    assert [r[0] for r in table[1:11]] == [code for code, _ms, _en in BPA_CATEGORIES]
    numbers = _numbers(table)
    assert numbers == expected(A_SEEDS)
    assert numbers["BPA-01"][:4] == [3, 1, 1, 1] and numbers["BPA-10"][:4] == [2, 0, 0, 2]
    assert numbers["BPA-02"] == [0] * len(numbers["BPA-02"])  # agency B's BPA-02 not here
    totals = table[11]
    assert str(totals[1]) == "Total" and [int(v) for v in totals[2:6]] == [5, 1, 2, 4]


def test_a_platform_administrator_returns_any_agency(agencies, client, worker_app):
    _a, b, _manager, platform, _officer = agencies
    login(client, platform)
    assert f'value="{b.id}"' in client.get("/exports/bpa").get_data(as_text=True)
    _preamble, table = _return(client, "csv", month="2026-03", agency=str(b.id))
    assert _numbers(table) == expected(B_SEEDS)


def test_a_bad_month_or_role_is_refused(agencies, client):
    _a, b, manager, _platform, officer = agencies
    login(client, manager)
    for month in ("2026-13", "maret", "", "2999-01"):
        response = client.post("/exports/bpa", data={"csrf_token": csrf(client, "/exports/bpa"),
                                                     "format": "csv", "month": month})  # fmt: skip
        assert response.status_code == 422, month
        assert "Choose a month (YYYY-MM) that has begun." in response.get_data(as_text=True)
    # a manager naming another agency still gets their own (the field is ignored)
    token = csrf(client, "/exports/bpa")
    form = {"csrf_token": token, "format": "csv", "month": "2026-03", "agency": str(b.id)}
    export_id = export_id_of(client.post("/exports/bpa", data=form))
    assert db.session.get(Export, export_id).agency_id == manager.agency_id
    login(client, officer)
    assert client.get("/exports/bpa").status_code == 403
