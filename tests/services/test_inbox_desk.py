"""The inbox's own rules behind issue #17: sorting by any column pages without gaps, a search
"everywhere" still stays inside what the officer may see (two agencies), saved views keep only
inbox arguments, and re-assigning a ticket to its own assignee changes nothing."""

from __future__ import annotations

import datetime as dt

from aduan.models import TicketEvent
from aduan.services.inbox import ordering, queries, saved_views
from aduan.services.tickets import actions
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit


def _walk(officer, order, queue="unit", filters=None) -> list[int]:
    seen, cursor = [], None
    while True:
        page = queries.page(officer, queue, filters or queries.Filters(), cursor, 3, order=order)
        seen += [t.id for t in page.tickets]
        cursor = page.next_cursor
        if cursor is None:
            return seen


def test_every_sort_pages_without_duplicates_or_gaps(db):
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit])
    base = dt.datetime(2026, 4, 1, 1, 0, tzinfo=dt.UTC)
    for i in range(8):  # ties on the received time; the id breaks them
        gen_ticket(agency, unit, received_at=base + dt.timedelta(hours=i // 3))
    db.session.flush()
    for key in ordering.SORT_KEYS:
        for descending in (False, True):
            order = ordering.Order(key, descending)
            column = order.column.desc() if descending else order.column.asc()
            tie = order.column.table.c.id.desc() if descending else order.column.table.c.id.asc()
            expected = db.session.scalars(
                db.select(order.column.table.c.id).order_by(column.nulls_last(), tie)
            ).all()
            assert _walk(officer, order) == expected, (key, descending)


def test_a_cursor_from_another_order_starts_again_at_the_top(db):
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit])
    tickets = [gen_ticket(agency, unit) for _ in range(4)]
    by_due = ordering.Order("due")
    cursor = ordering.encode_cursor(tickets[0], by_due)
    assert ordering.decode_cursor(cursor, by_due) is not None
    assert ordering.decode_cursor(cursor, ordering.Order("reference")) is None
    assert ordering.decode_cursor("bm90LWEtY3Vyc29y", by_due) is None  # "not-a-cursor"
    assert [t.id for t in queries.page(officer, "unit", queries.Filters(), cursor).tickets]


def test_search_everywhere_finds_closed_tickets_but_never_another_agencys(db):
    mine, theirs = gen_agency(), gen_agency()
    unit, their_unit = gen_unit(mine), gen_unit(theirs)
    officer = gen_officer(mine, [unit])
    open_one = gen_ticket(mine, unit, subject="Longkang tersumbat")
    closed = gen_ticket(mine, unit, subject="Longkang dibaiki")
    closed.status = "ditutup"
    gen_ticket(theirs, their_unit, subject="Longkang dibaiki juga")
    db.session.flush()
    in_queue = queries.Filters(q="longkang")
    everywhere = queries.Filters(q="longkang", everywhere=True)
    assert [t.id for t in queries.page(officer, "unit", in_queue).tickets] == [open_one.id]
    found = {t.id for t in queries.page(officer, "unit", everywhere).tickets}
    assert found == {open_one.id, closed.id}


def test_a_saved_view_keeps_only_the_inboxs_own_arguments_and_is_the_officers_own(db):
    agency, other_agency = gen_agency(), gen_agency()
    me = gen_officer(agency, [gen_unit(agency)])
    stranger = gen_officer(other_agency, [gen_unit(other_agency)])
    view = saved_views.save(me, "  Lewat   di unit ", "queue=overdue&after=abc&etag=1&x=<b>&q=air")
    assert (view.name, view.query) == ("Lewat di unit", "queue=overdue&q=air")
    assert saved_views.url(view) == "/inbox?queue=overdue&q=air"
    again = saved_views.save(me, "Lewat di unit", "queue=mine")  # the same name replaces it
    assert again.id == view.id and saved_views.mine(me) == [view] and view.query == "queue=mine"
    assert saved_views.mine(stranger) == []
    try:
        saved_views.delete(stranger, view.id)
    except Exception as exc:  # NotFound: another agency's officer cannot reach it
        assert type(exc).__name__ == "NotFound"
    else:
        raise AssertionError("another officer deleted my view")
    saved_views.delete(me, view.id)
    assert saved_views.mine(me) == []


def test_reassigning_to_the_same_officer_logs_nothing(db):
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit])
    ticket = gen_ticket(agency, unit)

    def assigned() -> int:
        query = db.select(db.func.count(TicketEvent.id)).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "assigned"
        )
        return db.session.scalar(query)

    actions.assign(ticket, officer, "")  # start unassigned, whatever the roster did
    before = assigned()
    assert actions.assign(ticket, officer, officer.id) is True
    assert assigned() == before + 1 and ticket.assignee_id == officer.id
    assert actions.assign(ticket, officer, str(officer.id)) is False  # the same officer again
    assert assigned() == before + 1
