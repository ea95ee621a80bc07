"""Inbox search on PostgreSQL: what an officer finds, within their scope, page after page."""

import datetime as dt

import pytest

from aduan.models import Message
from aduan.services.inbox import queries as queries
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit

BASE = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)


def found(officer, q, queue="unit"):
    return {t.id for t in queries.page(officer, queue, queries.Filters(q=q)).tickets}


def add_message(db, ticket, body):
    db.session.add(Message(ticket_id=ticket.id, direction="in", channel="sms", body=body))
    db.session.flush()


def test_words_in_subject_description_message_or_a_reference(db):
    agency = gen_agency()
    unit = gen_unit(agency)
    manager = gen_officer(agency, [unit], roles=("complaint_manager",))
    drain = gen_ticket(agency, unit, subject="Longkang tersumbat", description="Air bertakung.")
    lamp = gen_ticket(agency, unit, subject="Lampu jalan", description="Rosak sejak Isnin.")
    add_message(db, lamp, "Masih padam pada waktu malam")

    assert found(manager, "LONGKANG") == {drain.id}  # any case
    assert found(manager, "longkang bertakung") == {drain.id}  # subject and description
    assert found(manager, "bertakung longkang") == {drain.id}  # in any order
    assert found(manager, "padam malam") == {lamp.id}  # a message body
    assert found(manager, "lampu padam") == set()  # every word in one ticket or one message
    assert found(manager, "sumbat") == set()  # whole words ('simple'): no stemming
    assert found(manager, drain.reference.lower()) == {drain.id}


def test_an_edited_subject_is_searched_by_its_new_words(db):
    agency = gen_agency()
    unit = gen_unit(agency)
    manager = gen_officer(agency, [unit], roles=("complaint_manager",))
    ticket = gen_ticket(agency, unit, subject="Pokok tumbang")
    assert found(manager, "pokok") == {ticket.id}
    ticket.subject = "Dahan patah"
    db.session.flush()  # the stored document follows the row
    assert found(manager, "pokok") == set()
    assert found(manager, "dahan patah") == {ticket.id}


def test_search_stays_within_the_officers_units_and_agency(db):
    agency, other_agency = gen_agency(), gen_agency()
    unit = gen_unit(agency)
    sub_unit = gen_unit(agency, parent=unit)
    sibling = gen_unit(agency)
    elsewhere = gen_unit(other_agency)
    tickets = {
        name: gen_ticket(ag, u, subject="Sampah tidak dikutip")
        for name, ag, u in [
            ("own", agency, unit),
            ("sub", agency, sub_unit),
            ("sibling", agency, sibling),
            ("other_agency", other_agency, elsewhere),
        ]
    }
    add_message(db, tickets["sibling"], "Sampah bersepah")  # a match through a message, too
    officer = gen_officer(agency, [unit])
    supervisor = gen_officer(agency, [unit], roles=("supervisor",))
    manager = gen_officer(agency, [unit], roles=("complaint_manager",))
    ids = {name: t.id for name, t in tickets.items()}

    assert found(officer, "sampah") == {ids["own"]}
    assert found(supervisor, "sampah") == {ids["own"], ids["sub"]}
    assert found(manager, "sampah") == {ids["own"], ids["sub"], ids["sibling"]}
    assert found(officer, tickets["sibling"].reference) == set()  # a reference outside scope
    assert found(officer, "sampah bersepah") == set()


@pytest.fixture(params=["id list", "deadline walk"])
def search_path(request, monkeypatch):
    """Both ways a search is served: sparse matches by id list, dense ones by the walk."""
    if request.param == "deadline walk":
        monkeypatch.setattr(queries, "SEARCH_ID_LIMIT", 2)
    return request.param


def test_paging_through_a_broad_search_returns_every_match_once(db, search_path):
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit])
    matching = []
    for i in range(12):
        ticket = gen_ticket(agency, unit, subject=f"Longkang tersumbat {i}")
        # ties on the deadline, and tickets without one (last): the id breaks ties
        ticket.resolve_due_at = None if i in (3, 8) else BASE + dt.timedelta(days=i // 4)
        matching.append(ticket)
        gen_ticket(agency, unit, subject=f"Pokok tumbang {i}")  # interleaved non-matches
    add_message(db, matching[5], "Longkang tersumbat lagi")  # matched twice: listed once
    add_message(db, matching[5], "Longkang masih tersumbat")
    db.session.flush()
    seen, cursor = [], None
    while True:
        page = queries.page(officer, "unit", queries.Filters(q="tersumbat longkang"), cursor, 5)
        seen += [t.id for t in page.tickets]
        if not (cursor := page.next_cursor):
            break
    in_order = sorted(
        matching, key=lambda t: (t.resolve_due_at is None, t.resolve_due_at or BASE, t.id)
    )
    assert seen == [t.id for t in in_order]


def test_common_words_that_seldom_meet_are_looked_up_not_walked(db, monkeypatch):
    """PostgreSQL multiplies the frequencies of several words as if independent: two common
    words that never go together look common, yet walking the queue for them would pass every
    open ticket. Only a single word is trusted to the estimate."""
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit])
    drain = gen_ticket(agency, unit, subject="Longkang tersumbat")
    gen_ticket(agency, unit, subject="Paip bocor")
    estimated = []

    def everything(query):
        estimated.append(query)
        return 10**9  # "the whole table"

    monkeypatch.setattr(queries, "_estimated_rows", everything)
    assert found(officer, "longkang bocor") == set()
    assert estimated == []
    assert found(officer, "longkang") == {drain.id}  # one word: the estimate decides (walk)
    assert len(estimated) == 1
