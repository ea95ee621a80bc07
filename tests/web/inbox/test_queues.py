"""/inbox: queues, counts, filters, search, keyset pages, scope."""

import datetime as dt

import pytest
from flask_babel import refresh

from aduan.extensions import db
from aduan.models import Ticket
from aduan.services.inbox import queries as queries
from aduan.services.tickets import workflow
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit
from tests.web.inbox.helpers import signed_in, world


def test_inbox_needs_a_signed_in_officer(client):
    response = client.get("/inbox?queue=mine")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/inbox")


@pytest.mark.parametrize("queue", queries.QUEUES)
def test_every_queue_renders(client, db, queue):
    officers, tickets, _ = world()
    signed_in(client, officers["manager"])
    response = client.get(f"/inbox?queue={queue}&lang=en")
    assert response.status_code == 200
    assert "Recently closed" in response.get_data(as_text=True)


def test_unit_queue_is_scoped_to_the_officer(client, db):
    officers, tickets, _ = world()
    signed_in(client, officers["officer_a"])
    html = client.get("/inbox").get_data(as_text=True)
    assert tickets["a"].reference in html
    for other in ("a1", "b", "x"):
        assert tickets[other].reference not in html


def test_supervisor_sees_sub_units_and_manager_the_agency(client, db):
    officers, tickets, _ = world()
    signed_in(client, officers["supervisor_a"])
    html = client.get("/inbox").get_data(as_text=True)
    assert tickets["a"].reference in html and tickets["a1"].reference in html
    assert tickets["b"].reference not in html
    signed_in(client, officers["manager"])
    html = client.get("/inbox").get_data(as_text=True)
    assert all(tickets[k].reference in html for k in ("a", "a1", "b"))
    assert tickets["x"].reference not in html


def test_stranger_agency_sees_nothing(client, db):
    officers, tickets, _ = world()
    signed_in(client, officers["stranger"])
    html = client.get("/inbox").get_data(as_text=True)
    assert not any(tickets[k].reference in html for k in ("a", "a1", "b"))
    assert tickets["x"].reference in html


def test_search_by_a_word_in_a_message_body_and_by_reference(client, db):
    officers, tickets, _ = world()
    signed_in(client, officers["manager"])
    html = client.get("/inbox?q=padam").get_data(as_text=True)
    assert tickets["a"].reference in html and tickets["b"].reference not in html
    html = client.get(f"/inbox?q={tickets['b'].reference.lower()}").get_data(as_text=True)
    assert tickets["b"].reference in html and tickets["a"].reference not in html
    html = client.get("/inbox?q=longkang").get_data(as_text=True)  # a word of the subject
    assert tickets["a1"].reference in html and tickets["a"].reference not in html


def test_filters_and_counts(client, db):
    officers, tickets, units = world()
    tickets["b"].priority_group = "oku"
    tickets["b"].assignee = officers["manager"]
    db.session.commit()
    signed_in(client, officers["manager"])
    html = client.get("/inbox?priority=1").get_data(as_text=True)
    assert tickets["b"].reference in html and tickets["a"].reference not in html
    counts = queries.queue_counts(officers["manager"])
    assert counts["unit"] == 3 and counts["mine"] == 1 and counts["unassigned"] == 2


def test_overdue_and_due_today_queues(db):
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit])
    now = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in Kuala Lumpur
    late = gen_ticket(agency, unit)
    late.resolve_due_at = now - dt.timedelta(hours=1)
    today = gen_ticket(agency, unit)
    today.resolve_due_at = now + dt.timedelta(hours=7)  # 17:00 local
    later = gen_ticket(agency, unit)
    later.resolve_due_at = now + dt.timedelta(days=3)
    db.session.flush()
    page = queries.page(officer, "overdue", queries.Filters(), now=now)
    assert page.tickets == [late] and page.badges[late.id]["level"] == "bad"
    assert queries.page(officer, "due_today", queries.Filters(), now=now).tickets == [today]


def _waiting_ticket(agency, unit, paused_at: dt.datetime) -> Ticket:
    ticket = gen_ticket(agency, unit)  # received Monday 2 March 2026, 09:00 local
    workflow.change_status(ticket, "dalam_tindakan", at=paused_at - dt.timedelta(hours=1))
    workflow.change_status(ticket, "menunggu_pengadu", at=paused_at)
    db.session.flush()
    return ticket


def test_the_sla_badge_is_paused_and_frozen_while_waiting_on_the_complainant(db):
    agency = gen_agency()
    unit = gen_unit(agency)
    paused_at = dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.UTC)  # Wed 10:00 in Kuala Lumpur
    ticket = _waiting_ticket(agency, unit, paused_at)
    readings = []
    for now in (paused_at + dt.timedelta(days=6), paused_at + dt.timedelta(days=30)):
        badge = queries.sla_badges([ticket], now)[ticket.id]
        readings.append((badge["level"], badge["remaining"]))
    (level, frozen), _later = readings
    assert level == "paused" and readings[1] == readings[0]  # weeks later: still the same
    assert (frozen.days, frozen.hours, frozen.overdue) == (13, 7, False)  # as at the pause
    # Resumed a month later: the deadline moved by exactly the paused working time, so the
    # running badge starts from what the paused one showed.
    resumed_at = paused_at + dt.timedelta(days=30)
    workflow.change_status(ticket, "dalam_tindakan", at=resumed_at)
    badge = queries.sla_badges([ticket], resumed_at)[ticket.id]
    assert badge["level"] == "ok" and badge["remaining"].seconds == frozen.seconds


@pytest.mark.parametrize(
    ("locale", "text"),
    [("en", "Paused · 13d 7h left"), ("ms", "Dihentikan sementara · 13 hari 7 jam lagi")],
)
def test_queue_and_ticket_page_say_paused_with_the_frozen_time(client, db, locale, text):
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit], locale=locale)
    ticket = _waiting_ticket(agency, unit, dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.UTC))
    db.session.commit()
    signed_in(client, officer)
    refresh()  # the locale is cached on g, which this test's requests share
    badge = f'<span class="badge badge-paused" data-sla="paused">{text}</span>'
    assert badge in client.get("/inbox").get_data(as_text=True)
    page = client.get(f"/inbox/tickets/{ticket.reference}").get_data(as_text=True)
    assert badge in page


def test_keyset_pagination_has_no_duplicates_or_gaps(db):
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit])
    base = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
    made = []
    for i in range(9):
        ticket = gen_ticket(agency, unit)
        # ties on the deadline and tickets without one: the id breaks ties, nulls come last
        ticket.resolve_due_at = None if i in (2, 7) else base + dt.timedelta(days=i // 3)
        made.append(ticket)
    db.session.flush()
    seen, cursor, pages = [], None, 0
    while True:
        page = queries.page(officer, "unit", queries.Filters(), cursor=cursor, limit=3)
        seen += [t.id for t in page.tickets]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 9
    expected = db.session.scalars(
        db.select(Ticket.id).order_by(Ticket.resolve_due_at.asc().nulls_last(), Ticket.id)
    ).all()
    assert seen == expected


def test_next_page_link_and_htmx_rows(client, db):
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit])
    tickets = [gen_ticket(agency, unit) for _ in range(queries.PAGE_SIZE + 2)]
    db.session.commit()
    signed_in(client, officer)
    html = client.get("/inbox").get_data(as_text=True)
    assert 'id="more"' in html
    cursor = html.split("after=", 1)[1].split('"', 1)[0].split("&", 1)[0]
    rows = client.get(f"/inbox?after={cursor}", headers={"HX-Request": "true"})
    body = rows.get_data(as_text=True)
    assert "<html" not in body and body.count('class="ticket-row"') == 2
    assert tickets[-1].reference in body or tickets[0].reference not in body


def test_garbage_cursor_is_ignored(client, db):
    officers, tickets, _ = world()
    signed_in(client, officers["manager"])
    assert client.get("/inbox?after=%%%not-base64").status_code == 200


def test_recently_closed_lists_the_latest_closed_first_across_pages(db):
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit], roles=("complaint_manager",))
    now = dt.datetime.now(dt.UTC)
    for i in range(7):
        ticket = gen_ticket(agency, unit)
        ticket.status = "ditutup"
        db.session.flush()
        # ties on the closing time: the id breaks them, newest first
        db.session.execute(
            db.update(Ticket)
            .where(Ticket.id == ticket.id)
            .values(updated_at=now - dt.timedelta(hours=i // 2))
        )
    db.session.commit()
    seen, cursor = [], None
    while True:
        page = queries.page(officer, "recently_closed", queries.Filters(), cursor=cursor, limit=3)
        seen += [t.id for t in page.tickets]
        cursor = page.next_cursor
        if cursor is None:
            break
    expected = db.session.scalars(
        db.select(Ticket.id).order_by(Ticket.updated_at.desc(), Ticket.id.desc())
    ).all()
    assert seen == expected and len(set(seen)) == 7
