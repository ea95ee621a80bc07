"""The drain's groups (``intake.batch``): one transaction for a group of events, each event in
a savepoint — a bad event fails alone, a sender's events keep their order, two agencies'
complaints in one group stay apart, an abandoned group is done again one event at a time, and
a dead drain's group is redone alone without blaming any of its events."""

from __future__ import annotations

import pytest
import redis as redis_lib
from rq import Queue

from aduan.extensions import db
from aduan.models import InboundEvent, Message, Officer, OutboundMessage, Ticket, Unit
from aduan.models.routing import RosterPattern
from aduan.services.channel_config.accounts import save_account
from aduan.services.intake import batch as intake_batch
from aduan.services.intake import drain as intake_drain
from aduan.services.intake import inbound
from aduan.services.intake import pipeline as intake
from aduan.services.outbox.enqueueing import enqueue_after_commit
from aduan.services.tickets.loads import OPEN
from channels.registry import get_adapter_class
from tests.builders import gen_officer
from tests.channels.builders import twilio_request
from tests.conftest import REDIS_URL
from tests.sent_sql import recorded, starting
from tests.services import intake_builders
from tests.services.intake_builders import ACCOUNTS, agency_on, fixture_form

accounts = intake_builders.accounts


@pytest.fixture(autouse=True)
def _one_slot(app, monkeypatch):
    monkeypatch.setitem(app.config, "INGEST_PARALLELISM", 1)


def sms(n: int, sender: str | None = None, account_key: str = "default") -> int:
    form = {
        **fixture_form("sms", "malay_emoji"),
        "Body": f"Lampu jalan rosak no {n}.",
        "MessageSid": f"SM{n:032d}",
        "From": sender or f"+6012{n:07d}",
    }
    (raw,) = get_adapter_class("sms")(ACCOUNTS["sms"]).split(twilio_request(form, channel="sms"))
    event_id = inbound.store_event(raw, account_key)  # as the webhook stores it: its sender known
    db.session.commit()
    return event_id


def event(event_id: int) -> InboundEvent:
    return db.session.get(InboundEvent, event_id)


def send_jobs() -> list[int]:
    """The outbound row ids whose send jobs are queued (acknowledgements go to ``first``)."""
    queue = Queue("test-first", connection=redis_lib.Redis.from_url(REDIS_URL))
    return sorted(job.args[0] for job in queue.jobs)


def tickets() -> list[Ticket]:
    return db.session.scalars(db.select(Ticket).order_by(Ticket.id)).all()


def stored_on(ticket: Ticket) -> list[str]:
    """The provider ids of the messages stored on ``ticket`` from its complainant, in order."""
    return db.session.scalars(
        db.select(Message.provider_id)
        .where(Message.ticket_id == ticket.id, Message.direction == "in")
        .order_by(Message.id)
    ).all()


def test_a_group_of_two_agencies_complaints_files_each_in_its_own_agency(agency, accounts):
    save_account(agency, "sms", {}, key="jkr")
    other = agency_on("sms")
    ids = [sms(n, account_key=("jkr", "mbpj")[n % 2]) for n in range(6)]

    assert intake_batch.process_group(ids) == dict.fromkeys(ids, "processed")

    db.session.expire_all()
    filed = tickets()
    assert [t.agency_id for t in filed] == [agency.id, other.id] * 3
    acks = db.session.scalars(db.select(OutboundMessage).order_by(OutboundMessage.id)).all()
    assert [(a.ticket_id, a.account_key) for a in acks] == [
        (t.id, ("jkr", "mbpj")[i % 2]) for i, t in enumerate(filed)
    ]
    assert all(t.reference in a.body for t, a in zip(filed, acks, strict=True))
    assert send_jobs() == [a.id for a in acks]  # each acknowledgement handed to its send job


def test_a_bad_event_fails_alone_and_leaves_nothing_behind(app, agency, accounts, monkeypatch):
    officer = gen_officer(agency, [db.session.get(Unit, agency.triage_unit_id)])
    for weekday in range(7):
        db.session.add(RosterPattern(unit_id=agency.triage_unit_id, officer_id=officer.id,
                                     weekday=weekday))  # fmt: skip
    db.session.commit()
    ids = [sms(n) for n in range(5)]
    bad = ids[2]
    real = intake.ingest_message

    def ingest_message(inbound, message, adapter=None):
        ack = real(inbound, message, adapter)  # its ticket, assignment and acknowledgement made
        if inbound.id == bad:
            raise RuntimeError("template broke")
        return ack

    monkeypatch.setattr(intake, "ingest_message", ingest_message)
    outcomes = intake_batch.process_group(ids)

    assert outcomes == {**dict.fromkeys(ids, "processed"), bad: "failed"}
    db.session.expire_all()
    assert len(tickets()) == 4
    failed = event(bad)
    assert (failed.attempts, failed.processed_at) == (1, None) and "template broke" in failed.error
    acks = db.session.scalars(db.select(OutboundMessage.id)).all()
    assert len(acks) == 4 and send_jobs() == sorted(acks)  # no job for the rolled-back one
    kept = db.session.get(Officer, officer.id).open_ticket_count
    assert (
        kept
        == 4
        == db.session.scalar(
            db.select(db.func.count()).select_from(Ticket).where(Ticket.status.in_(OPEN))
        )
    )


def test_a_senders_events_keep_their_order_and_wait_for_a_failed_earlier_one(
    agency, accounts, monkeypatch
):
    sender = "+60125550000"
    first, second, other = sms(1, sender), sms(2, sender), sms(3)
    later_first, later_second = sms(4, "+60125551111"), sms(5, "+60125551111")
    intake_builders.fail_ingest(monkeypatch, later_first)
    outcomes = intake_batch.process_group([second, first, other, later_second, later_first])

    assert outcomes == {first: "processed", second: "processed", other: "processed",
                        later_first: "failed", later_second: "deferred"}  # fmt: skip
    db.session.expire_all()
    assert event(later_second).attempts == 0  # deferred, not blamed: the drain comes back
    filed = tickets()
    assert len(filed) == 2  # the sender's second message threads onto their first ticket
    (own,) = [t for t in filed if t.complainant.phone == sender]
    assert stored_on(own) == [f"SM{1:032d}", f"SM{2:032d}"]


def test_an_event_another_drain_holds_is_skipped_and_an_earlier_one_outside_defers(
    agency, accounts, database_url
):
    import psycopg

    sender = "+60125552222"
    held, follow_up, free = sms(1, sender), sms(2, sender), sms(3)
    with psycopg.connect(database_url) as other:
        other.execute("SELECT 1 FROM inbound_events WHERE id = %s FOR UPDATE", (held,))
        outcomes = intake_batch.process_group([follow_up, free])
        also = intake_batch.process_group([held, free])
    assert outcomes == {follow_up: "deferred", free: "processed"}
    assert also == {held: "skipped", free: "skipped"}  # locked elsewhere; done already


def test_a_group_that_lost_the_database_is_done_again_one_event_at_a_time(
    agency, accounts, monkeypatch
):
    ids = [sms(n) for n in range(4)]
    real = intake.ingest_message
    lost = []

    def ingest_message(inbound, message, adapter=None):
        if inbound.id == ids[2] and not lost:
            lost.append(True)
            db.session.execute(db.text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return real(inbound, message, adapter)

    monkeypatch.setattr(intake, "ingest_message", ingest_message)
    assert intake_batch.process_group(ids) is None  # abandoned and rolled back
    db.session.expire_all()
    assert all(event(i).processed_at is None and event(i).attempts == 0 for i in ids)

    assert intake_drain.drain(0, idle=0) == 4  # the drain does the group again, alone
    db.session.expire_all()
    assert all(event(i).processed_at is not None and event(i).attempts == 1 for i in ids)
    assert len(tickets()) == 4 and len(send_jobs()) == 4


def test_a_dead_drains_group_is_redone_alone_and_nobody_is_blamed(agency, accounts):
    ids = [sms(n) for n in range(3)]
    connection = redis_lib.Redis.from_url(REDIS_URL)
    connection.hset(intake_drain.current_key(0), "dead-drain", ",".join(map(str, ids)))

    assert intake_drain.recover_interrupted(0) == 0  # no attempt counted on any of them

    db.session.expire_all()
    assert all(event(i).processed_at is not None and event(i).error is None for i in ids)
    assert [event(i).attempts for i in ids] == [1, 1, 1]
    assert connection.hgetall(intake_drain.current_key(0)) == {}
    assert len(tickets()) == 3 and len(send_jobs()) == 3


def test_a_drain_processes_its_events_in_groups(agency, accounts, monkeypatch):
    ids = [sms(n) for n in range(7)]
    groups = []
    real = intake_batch.process_group
    monkeypatch.setattr(intake_batch, "GROUP", 3)
    monkeypatch.setattr(intake_batch, "process_group", lambda g: groups.append(g) or real(g))

    assert intake_drain.drain(0, idle=0) == 7
    assert groups == [ids[0:3], ids[3:6]]  # and the last one alone
    db.session.expire_all()
    assert len(tickets()) == 7 and len(send_jobs()) == 7


def test_a_released_savepoint_hands_nothing_over_before_the_transaction_commits(app_ctx):
    with db.session.begin_nested():  # as each event of a group
        enqueue_after_commit(4242, "acknowledgement")
    assert send_jobs() == []  # a send job started now would not find its row
    db.session.commit()
    assert send_jobs() == [4242]


def test_a_group_marks_its_processed_events_in_one_statement_and_never_the_failed_one(
    agency, accounts, monkeypatch
):
    ids = [sms(n) for n in range(6)]
    bad = ids[3]
    real = intake.ingest_message

    def ingest_message(inbound, message, adapter=None):
        if inbound.id == bad:
            raise RuntimeError("template broke")
        return real(inbound, message, adapter)

    monkeypatch.setattr(intake, "ingest_message", ingest_message)
    with recorded() as seen:
        outcomes = intake_batch.process_group(ids)

    assert outcomes == {**dict.fromkeys(ids, "processed"), bad: "failed"}
    marks = [s.rows for s in starting(seen, "UPDATE inbound_events") if "processed_at" in s.sql]
    assert marks == [5]  # the five processed events, in one statement at the group's end
    db.session.expire_all()
    done = {i: (event(i).processed_at is not None, event(i).attempts) for i in ids}
    assert done == {**dict.fromkeys(ids, (True, 1)), bad: (False, 1)}
    assert len(tickets()) == 5


def _on_duty_every_day(unit_id: int, *officers: Officer) -> None:
    for officer in officers:
        for weekday in range(7):
            db.session.add(RosterPattern(unit_id=unit_id, officer_id=officer.id, weekday=weekday))


def test_a_group_reads_each_agencys_duty_officers_once_and_still_shares_fairly(agency, accounts):
    save_account(agency, "sms", {}, key="jkr")
    triage = db.session.get(Unit, agency.triage_unit_id)
    busy, free = gen_officer(agency, [triage]), gen_officer(agency, [triage])
    busy.open_ticket_count = 2  # already holds two open tickets
    other = agency_on("sms")
    alone = gen_officer(other, [db.session.get(Unit, other.triage_unit_id)])
    _on_duty_every_day(agency.triage_unit_id, busy, free)
    _on_duty_every_day(other.triage_unit_id, alone)
    db.session.commit()
    ids = [sms(n, account_key=("jkr", "mbpj")[n % 2]) for n in range(8)]
    with recorded() as seen:
        assert intake_batch.process_group(ids) == dict.fromkeys(ids, "processed")

    reads = starting(seen, "SELECT officers.id, officers.open_ticket_count")
    assert len(reads) == 2  # one read of each agency's duty officers for the whole group
    assert not starting(seen, "SAVEPOINT")  # written together: tickets not flushed one by one
    db.session.expire_all()
    given = [(t.agency_id, t.assignee_id) for t in tickets()]
    mine = [officer for agency_id, officer in given if agency_id == agency.id]
    assert mine == [free.id, free.id, busy.id, free.id]  # fewest open first, then oldest turn
    assert [o for a, o in given if a == other.id] == [alone.id] * 4
    counts = {o.id: o.open_ticket_count for o in (busy, free, alone)}
    assert counts == {busy.id: 3, free.id: 3, alone.id: 4}
