"""A drain's group written together (``group_writes``, ``intake.lookahead``): one multi-row
INSERT per table for the whole group, its lookups read ahead in one query each; and when the
try fails — another worker filed the same person a moment before — the group is done again the
careful way, with nothing lost or doubled."""

from __future__ import annotations

import psycopg
import pytest
import redis as redis_lib
from rq import Queue

from aduan.extensions import db
from aduan.models import ContactIdentity, Message, OutboundMessage, Ticket, Unit
from aduan.services.channel_config.accounts import save_account
from aduan.services.intake import batch as intake_batch
from aduan.services.intake import inbound, lookahead
from aduan.services.outbox import delivery
from channels.registry import get_adapter_class
from tests.builders import gen_officer
from tests.channels.builders import twilio_request
from tests.conftest import REDIS_URL
from tests.sent_sql import recorded, starting
from tests.services import intake_builders
from tests.services.intake_builders import ACCOUNTS, agency_on, fixture_form
from tests.services.test_intake_batch import (
    _on_duty_every_day,
    send_jobs,
    sms,
    stored_on,
    tickets,
)

accounts = intake_builders.accounts
twilio = intake_builders.twilio_server
_one_slot = pytest.fixture(autouse=True)(lambda app, monkeypatch: monkeypatch.setitem(
    app.config, "INGEST_PARALLELISM", 1))  # fmt: skip

TABLES = ("complainants", "contact_identities", "tickets", "ticket_events", "messages",
          "outbound_messages")  # fmt: skip


def inserts(seen, table: str) -> int:
    return len(starting(seen, f"INSERT INTO {table} "))


def acknowledgements() -> list[OutboundMessage]:
    query = db.select(OutboundMessage).where(OutboundMessage.purpose == "acknowledgement")
    return list(db.session.scalars(query.order_by(OutboundMessage.id)))


def received_by(twilio_server, handle: str) -> list[str]:
    """The SMS bodies the fake Twilio was asked to send to ``handle``."""
    return [r.form["Body"] for r in twilio_server.requests if r.form.get("To") == handle]


def test_a_group_is_written_with_one_insert_per_table_and_each_citizen_is_acknowledged(
    agency, twilio
):
    save_account(agency, "sms", {}, key="jkr")
    other = agency_on("sms")
    for one in (agency, other):
        unit = db.session.get(Unit, one.triage_unit_id)
        _on_duty_every_day(unit.id, gen_officer(one, [unit]))
    db.session.commit()
    ids = [sms(n, account_key=("jkr", "mbpj")[n % 2]) for n in range(6)]

    with recorded() as seen:
        assert intake_batch.process_group(ids) == dict.fromkeys(ids, "processed")

    assert not starting(seen, "SAVEPOINT")  # written together, not event by event
    assert {table: inserts(seen, table) for table in TABLES} == dict.fromkeys(TABLES, 1)
    db.session.expire_all()
    filed = tickets()
    assert [t.agency_id for t in filed] == [agency.id, other.id] * 3
    assert all(t.assignee_id is not None for t in filed)
    acks = acknowledgements()
    assert send_jobs() == [a.id for a in acks]  # enqueued together after the commit
    queued = Queue("test-first", connection=redis_lib.Redis.from_url(REDIS_URL)).jobs
    assert {(job.id, job.retries_left) for job in queued} == {(f"send-{a.id}", 5) for a in acks}
    for n, (ticket, ack) in enumerate(zip(filed, acks, strict=True)):
        assert (ack.ticket_id, ack.account_key) == (ticket.id, ("jkr", "mbpj")[n % 2])
        assert delivery.deliver(ack.id).state == "sent"
        (body,) = received_by(twilio, f"+6012{n:07d}")  # the citizen who wrote, only them
        assert ticket.reference in body
    inbound = db.session.scalars(db.select(Message).where(Message.direction == "in")).all()
    assert sorted(m.ticket_id for m in inbound) == [t.id for t in filed]


def test_a_senders_second_message_in_the_group_threads_onto_the_first(agency, accounts):
    sender = "+60125553333"
    ids = [sms(1, sender), sms(2), sms(3, sender)]

    with recorded() as seen:
        assert intake_batch.process_group(ids) == dict.fromkeys(ids, "processed")

    assert not starting(seen, "SAVEPOINT")
    db.session.expire_all()
    filed = tickets()
    assert len(filed) == 2 and len(acknowledgements()) == 2  # one acknowledgement each
    (own,) = [t for t in filed if t.complainant.phone == sender]
    assert stored_on(own) == [f"SM{1:032d}", f"SM{3:032d}"]
    identities = db.session.scalars(
        db.select(ContactIdentity).where(ContactIdentity.handle == sender)
    ).all()
    assert len(identities) == 1


def test_a_person_filed_by_another_worker_meanwhile_is_done_again_carefully(
    agency, accounts, monkeypatch, database_url
):
    other = agency_on("sms")
    sender = "+60125554444"
    ids = [sms(1), sms(2, sender), sms(3, sender, account_key="mbpj")]
    real = lookahead.read_ahead

    def read_ahead(events):  # another worker files the same person just after our look
        real(events)
        with psycopg.connect(database_url, autocommit=True) as conn:
            (complainant_id,) = conn.execute(
                "INSERT INTO complainants (agency_id, phone, language, created_at) "
                "VALUES (%s, %s, 'ms', now()) RETURNING id",
                (agency.id, sender),
            ).fetchone()
            conn.execute(
                "INSERT INTO contact_identities (agency_id, complainant_id, channel_type, "
                "handle, created_at) VALUES (%s, %s, 'phone', %s, now())",
                (agency.id, complainant_id, sender),
            )

    monkeypatch.setattr(lookahead, "read_ahead", read_ahead)
    with recorded() as seen:
        assert intake_batch.process_group(ids) == dict.fromkeys(ids, "processed")

    assert starting(seen, "SAVEPOINT")  # the careful way, after the unique index refused
    db.session.expire_all()
    filed = tickets()
    assert len(filed) == 3 and len(acknowledgements()) == 3 and len(send_jobs()) == 3
    mine = db.session.scalars(
        db.select(ContactIdentity).where(
            ContactIdentity.handle == sender, ContactIdentity.agency_id == agency.id
        )
    ).all()
    assert len(mine) == 1  # the other worker's: the complaint joined that person
    (theirs,) = [
        t for t in filed if t.agency_id == agency.id and t.complainant_id == mine[0].complainant_id
    ]
    assert theirs.complainant.phone == sender
    (elsewhere,) = [t for t in filed if t.agency_id == other.id]
    assert elsewhere.complainant_id != mine[0].complainant_id  # the same phone, MBPJ's own
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 3


def sms_text(n: int, text: str, sender: str) -> int:
    form = {**fixture_form("sms", "malay_emoji"), "Body": text, "MessageSid": f"SM{n:032d}",
            "From": sender}  # fmt: skip
    (raw,) = get_adapter_class("sms")(ACCOUNTS["sms"]).split(twilio_request(form, channel="sms"))
    event_id = inbound.store_event(raw, "default")
    db.session.commit()
    return event_id


def test_baru_and_the_message_after_it_open_a_new_ticket_in_groups_written_together(
    agency, accounts
):
    sender = "+60125556666"
    first = [sms_text(1, "Longkang tersumbat di Jalan Duta.", sender), sms(2)]
    assert intake_batch.process_group(first) == dict.fromkeys(first, "processed")
    baru = [sms_text(3, "BARU", sender), sms(4)]  # the bot's conversation starts in a group
    with recorded() as seen:
        assert intake_batch.process_group(baru) == dict.fromkeys(baru, "processed")
    after = [sms_text(5, "Pokok tumbang di Jalan Ipoh.", sender), sms(6)]
    with recorded() as more:
        assert intake_batch.process_group(after) == dict.fromkeys(after, "processed")

    assert not starting(seen, "SAVEPOINT") and not starting(more, "SAVEPOINT")
    db.session.expire_all()
    mine = [t for t in tickets() if t.complainant.phone == sender]
    assert [t.description for t in mine] == [
        "Longkang tersumbat di Jalan Duta.",
        "Pokok tumbang di Jalan Ipoh.",  # not threaded onto the first
    ]
    sent = db.session.scalars(
        db.select(OutboundMessage.body)
        .where(OutboundMessage.to_handle == sender)
        .order_by(OutboundMessage.id)
    ).all()
    assert len(sent) == 3  # two acknowledgements and the bot's prompt between them
    assert mine[0].reference in sent[0] and mine[1].reference in sent[2]
    assert sent[1] == "Baik. Hantar aduan baharu anda dalam mesej seterusnya."
