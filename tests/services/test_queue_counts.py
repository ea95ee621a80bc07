import datetime as dt

from aduan.services.inbox import queries as inbox_queries
from aduan.services.tickets import workflow
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit

DAY = dt.timedelta(days=1)


def test_queue_counts_stop_at_the_cap_and_say_so(db, monkeypatch):
    monkeypatch.setattr(inbox_queries, "COUNT_CAP", 2)
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit])
    for _ in range(4):
        gen_ticket(agency, unit)
    gen_ticket(agency, gen_unit(agency))  # another unit: out of this officer's scope
    db.session.commit()
    counts = inbox_queries.queue_counts(officer)
    assert counts["unit"] == 3 and counts["unassigned"] == 3  # cap + 1: "more than the cap"
    assert counts["mine"] == 0
    assert inbox_queries.count_label(counts["unit"]) == "2+"
    assert inbox_queries.count_label(2) == "2"


def test_search_finds_sparse_and_dense_matches_alike(db, monkeypatch):
    from aduan.models import Message

    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit], roles=("complaint_manager",))
    tickets = [gen_ticket(agency, unit, description=f"Aduan nombor {n}") for n in range(5)]
    db.session.add(Message(ticket_id=tickets[3].id, direction="in", channel="sms",
                           body="Kereta parkir di taman 42"))  # fmt: skip
    db.session.commit()

    def found(q):
        page = inbox_queries.page(officer, "unit", inbox_queries.Filters(q=q))
        return sorted(t.id for t in page.tickets)

    assert found("parkir taman 42") == [tickets[3].id]  # sparse: by the exact id list
    monkeypatch.setattr(inbox_queries, "SEARCH_ID_LIMIT", 2)
    assert found("aduan nombor") == sorted(t.id for t in tickets)  # dense: the plain plan
    assert found("parkir taman 42") == [tickets[3].id]


def test_search_words_are_never_sql(db):
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit], roles=("complaint_manager",))
    gen_ticket(agency, unit)
    db.session.commit()
    for q in ("x'); DROP TABLE tickets; --", "%(q_ticket)s", "a\\' OR 1=1", ":qm"):
        assert inbox_queries.page(officer, "unit", inbox_queries.Filters(q=q)).tickets == []
    assert db.session.execute(db.text("SELECT count(*) FROM tickets")).scalar() == 1


def test_a_paused_ticket_waits_and_is_neither_overdue_nor_due_today(db):
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit])
    running, paused = gen_ticket(agency, unit), gen_ticket(agency, unit)
    for status in ("diterima", "menunggu_pengadu"):  # its badge says "Paused · … left"
        workflow.change_status(paused, status, actor_kind="officer", at=paused.received_at)
    db.session.commit()
    due = running.resolve_due_at
    assert paused.resolve_due_at == due and paused.sla_paused_at is not None

    def listed(queue, now):
        page = inbox_queries.page(officer, queue, inbox_queries.Filters(), now=now)
        return [t.id for t in page.tickets]

    for queue, now in (("due_today", due - dt.timedelta(hours=1)), ("overdue", due + DAY)):
        assert listed(queue, now) == [running.id]
        counts = inbox_queries.queue_counts(officer, now)
        assert counts[queue] == 1 and counts["waiting"] == 1
        assert listed("waiting", now) == [paused.id]
