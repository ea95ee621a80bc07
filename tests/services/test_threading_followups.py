"""What a threaded message does to its ticket: a third party in copy never speaks for the
complainant; a finished ticket re-opens within the objection window, else a new ticket follows
it up."""

from __future__ import annotations

import datetime as dt

import pytest

from aduan.extensions import db
from aduan.models import Message, OutboundMessage, Ticket, TicketEvent
from aduan.models.base import utcnow
from aduan.services.intake.pipeline import process_event
from aduan.services.tickets import workflow
from tests.builders import gen_officer
from tests.services import intake_builders
from tests.services.intake_builders import email_event, sms_event

accounts = intake_builders.accounts


def tickets() -> list[Ticket]:
    return db.session.scalars(db.select(Ticket).order_by(Ticket.id)).all()


def kinds(ticket: Ticket) -> list[str]:
    return db.session.scalars(
        db.select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id).order_by(
            TicketEvent.id)
    ).all()  # fmt: skip


def move(ticket: Ticket, *statuses: str, at: dt.datetime | None = None) -> Ticket:
    for status in statuses:
        reason = "sebab" if status in ("luar_bidang_kuasa", "dibuka_semula") else None
        workflow.change_status(ticket, status, actor_kind="officer", reason=reason, at=at)
    db.session.commit()
    return ticket


def email_ticket() -> Ticket:
    process_event(email_event(message_id="<first@example.com>").id)
    return tickets()[0]


def acknowledgement() -> OutboundMessage:
    return db.session.scalar(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "acknowledgement")
    )


def test_a_reply_from_someone_in_copy_does_not_resume_a_waiting_ticket(agency, accounts):
    ticket = move(email_ticket(), "diterima", "menunggu_pengadu")
    process_event(
        email_event(
            message_id="<cc@example.com>",
            sender="jiran@example.com",  # in copy, replying to all
            subject="Re: Jalan berlubang",
            body="Saya jiran beliau, lubang itu makin besar.",
            in_reply_to=acknowledgement().email_message_id,
        ).id
    )
    db.session.expire_all()
    assert [t.id for t in tickets()] == [ticket.id]  # recorded on the ticket…
    ticket = tickets()[0]
    assert ticket.status == "menunggu_pengadu"  # …but the ticket still waits on the complainant
    assert ticket.sla_paused_at is not None
    message = db.session.scalar(db.select(Message).where(Message.sender == "jiran@example.com"))
    assert message.ticket_id == ticket.id and message.direction == "in"
    third = db.session.scalar(
        db.select(TicketEvent).where(TicketEvent.kind == "third_party_message")
    )
    assert third.actor_kind == "third_party" and third.data["message_id"] == message.id
    assert "message_received" not in kinds(ticket)


def test_the_complainants_own_reply_resumes_a_waiting_ticket(agency, accounts):
    move(email_ticket(), "diterima", "menunggu_pengadu")
    process_event(
        email_event(
            message_id="<own@example.com>",
            subject="Re: Jalan berlubang",
            in_reply_to=acknowledgement().email_message_id,
        ).id
    )
    db.session.expire_all()
    assert tickets()[0].status == "dalam_tindakan"


def test_a_third_party_never_reopens_a_finished_ticket(agency, accounts):
    ticket = move(email_ticket(), "dalam_tindakan", "selesai")
    process_event(
        email_event(
            message_id="<cc2@example.com>",
            sender="jiran@example.com",
            subject="Re: Jalan berlubang",
            in_reply_to=acknowledgement().email_message_id,
        ).id
    )
    db.session.expire_all()
    assert [(t.id, t.status) for t in tickets()] == [(ticket.id, "selesai")]


@pytest.mark.parametrize("finished", [("selesai",), ("luar_bidang_kuasa",)])
def test_the_complainant_objecting_within_the_window_reopens(agency, accounts, finished):
    process_event(sms_event("Lampu jalan rosak.", "SM" + "a" * 32).id)
    ticket = move(tickets()[0], "dalam_tindakan", *finished)
    officer = gen_officer(agency)
    ticket.assignee_id = officer.id
    db.session.commit()
    process_event(sms_event(f"{ticket.reference} terima kasih.", "SM" + "c" * 32).id)
    db.session.expire_all()
    assert tickets()[0].status == finished[0]  # any other message is only recorded
    text = f"Bantah {ticket.reference}: lampu masih belum menyala."
    process_event(sms_event(text, "SM" + "b" * 32).id)
    db.session.expire_all()
    (ticket,) = tickets()
    assert ticket.status == "dibuka_semula" and ticket.resolved_at is None
    assert ticket.assignee_id == officer.id  # back with the same officer
    reopened = db.session.scalars(
        db.select(TicketEvent).where(TicketEvent.kind == "status_changed")
    ).all()[-1]
    assert reopened.actor_kind == "complainant" and reopened.after == {"status": "dibuka_semula"}


def test_a_closed_ticket_is_followed_up_by_a_new_linked_ticket(agency, accounts):
    process_event(sms_event("Lampu jalan rosak.", "SM" + "c" * 32).id)
    old = move(tickets()[0], "dalam_tindakan", "selesai", "ditutup")
    process_event(sms_event(f"Rujukan {old.reference}: lampu rosak semula.", "SM" + "d" * 32).id)
    db.session.expire_all()
    old, new = tickets()
    assert old.status == "ditutup"  # untouched: only an officer re-opens a closed ticket
    assert new.complainant_id == old.complainant_id and new.status == "baharu"
    follows = db.session.scalar(db.select(TicketEvent).where(TicketEvent.kind == "follows_up"))
    assert follows.ticket_id == new.id and follows.data["reference"] == old.reference
    back = db.session.scalar(db.select(TicketEvent).where(TicketEvent.kind == "followed_up_by"))
    assert back.ticket_id == old.id and back.data["reference"] == new.reference
    assert db.session.scalar(db.select(Message.ticket_id).order_by(Message.id.desc()).limit(1)) == (
        new.id
    )
    ack = db.session.scalar(
        db.select(OutboundMessage).where(
            OutboundMessage.ticket_id == new.id, OutboundMessage.purpose == "acknowledgement"
        )
    )
    assert new.reference in ack.body  # the complainant learns the new reference


def test_resolved_past_the_objection_window_is_followed_up_not_reopened(agency, accounts):
    process_event(sms_event("Lampu jalan rosak.", "SM" + "e" * 32).id)
    long_ago = utcnow() - dt.timedelta(days=8)
    old = move(tickets()[0], "dalam_tindakan", "selesai", at=long_ago)
    process_event(sms_event(f"{old.reference} masih rosak", "SM" + "f" * 32).id)
    db.session.expire_all()
    old, new = tickets()
    assert old.status == "selesai" and "followed_up_by" in kinds(old)
    assert "follows_up" in kinds(new)


def test_an_email_reply_to_a_closed_ticket_opens_a_linked_ticket(agency, accounts):
    old = move(email_ticket(), "dalam_tindakan", "selesai", "ditutup")
    process_event(
        email_event(
            message_id="<late@example.com>",
            subject="Re: Jalan berlubang",
            body="Lubang itu muncul semula.",
            in_reply_to=acknowledgement().email_message_id,
        ).id
    )
    db.session.expire_all()
    old, new = tickets()
    assert old.status == "ditutup" and new.description.startswith("Lubang itu muncul semula")
    assert "follows_up" in kinds(new)


def test_a_first_message_from_a_new_number_never_joins_an_anonymous_ticket(agency, accounts):
    from tests.builders import gen_ticket

    anonymous = gen_ticket(agency, origin_channel="sms", received_at=utcnow())
    db.session.commit()
    process_event(sms_event("Pokok tumbang di Jalan Ampang.", "SM" + "9" * 32).id)
    db.session.expire_all()
    first, new = tickets()
    assert first.id == anonymous.id and first.complainant_id is None
    assert new.complainant_id is not None and new.description.startswith("Pokok tumbang")


def test_a_message_stored_on_a_ticket_finished_long_ago_does_not_reopen_it(agency, accounts):
    from aduan.services.intake import placement as threading
    from channels.base import InboundMessage

    process_event(sms_event("Lampu jalan rosak.", "SM" + "7" * 32).id)
    old = move(tickets()[0], "luar_bidang_kuasa", at=utcnow() - dt.timedelta(days=120))
    message = InboundMessage("web", "reply-1", "", "Terima kasih.", utcnow())
    stored = Message(ticket_id=old.id, direction="in", channel="web", body=message.text)
    db.session.add(stored)
    db.session.flush()
    threading.after_store(threading.Placement(message, old), old, stored, created=False)
    db.session.commit()
    db.session.expire_all()
    assert tickets()[0].status == "luar_bidang_kuasa"


def test_the_complainants_status_page_never_shows_a_third_partys_mail_as_theirs(agency, accounts):
    from aduan.services.citizen import status as status_lookup

    ticket = email_ticket()
    for message_id, sender, body in (
        ("<cc3@example.com>", "jiran@example.com", "Saya jiran beliau: lubang makin besar."),
        ("<own3@example.com>", "siti@example.com", "Gambar terkini saya lampirkan."),
    ):
        reply_all = email_event(
            message_id=message_id,
            sender=sender,
            subject="Re: Jalan berlubang",
            body=body,
            in_reply_to=acknowledgement().email_message_id,
        )
        process_event(reply_all.id)
    db.session.expire_all()
    timeline = status_lookup.public_status(tickets()[0])["timeline"]
    mine = [item["text"] for item in timeline if item["kind"] == "in"]
    assert [text.split("\n")[0] for text in mine] == [
        ticket.description.split("\n")[0],
        "Gambar terkini saya lampirkan.",
    ]
    assert not any("jiran" in item["text"] for item in timeline)
