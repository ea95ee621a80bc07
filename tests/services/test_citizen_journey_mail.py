"""One e-mail complaint from filing to closure through a real Dovecot mailbox and a real SMTP
server: the exact notices Siti received, in order, with the officer's reasons (English), and
her rating sent as an e-mail reply ("five") recorded once — no new ticket."""

from __future__ import annotations

import datetime as dt

import pytest

from aduan.extensions import db
from aduan.models import Ticket
from aduan.models.base import utcnow
from aduan.models.citizen import SurveyResponse
from aduan.services.citizen import survey
from aduan.services.outbox.texts import status_link
from aduan.services.tickets import workflow
from tests.services.mail_desk import DESK_ADDRESS, run_jobs
from tests.services.test_mail_hygiene import CITIZEN, mail

pytest_plugins = ["tests.channels.conftest_email", "tests.services.conftest_mail_desk"]
pytestmark = pytest.mark.timeout(900)


def _from_siti(tag: str, subject: str, body: str) -> bytes:
    return mail(
        f"From: Siti <{CITIZEN}>",
        f"To: {DESK_ADDRESS}",
        f"Subject: {subject}",
        f"Message-ID: <{tag}@example.my>",
        "Date: Mon, 16 Nov 2026 10:00:00 +0800",
        body=body,
    )


def _bodies(desk) -> list[str]:
    return [" ".join(m.get_body(("plain",)).get_content().split()) for m in desk.sent()]


def test_an_email_complaint_is_told_every_change_and_rated_by_reply(mail_desk):
    desk = mail_desk
    desk.deliver(
        _from_siti("c1", "Broken street light", "The street light on Jalan Mawar 3 is broken.")
    )
    ticket = db.session.scalar(db.select(Ticket))
    ticket.language = "en"
    db.session.commit()
    ref, link = ticket.reference, status_link(ticket)
    workflow.change_status(ticket, "dalam_tindakan")
    workflow.change_status(ticket, "menunggu_pengadu", reason="Tell us the lamp post number")
    workflow.commit()
    run_jobs()
    desk.deliver(_from_siti("c2", f"Re: [{ref}]", "It is lamp post number 42."))
    workflow.change_status(db.session.get(Ticket, ticket.id), "selesai", reason="Lamp replaced.")
    workflow.commit()
    assert survey.request_surveys() == 1
    run_jobs()
    desk.deliver(_from_siti("c3", f"Re: [{ref}]", "five, thank you"))
    assert survey.close_expired(utcnow() + survey.WINDOW + dt.timedelta(minutes=1)) == 1
    run_jobs()

    bodies = _bodies(desk)
    assert bodies[0].startswith(f"Your complaint has been received. Reference No.: {ref}.")
    assert bodies[1] == (
        f"Complaint {ref}: we need something from you: Tell us the lamp post number. "
        f"The resolution period is paused until you reply. Status: {link}"
    )
    assert bodies[2].startswith(f"Complaint {ref} is being acted on again;")
    assert bodies[3] == (
        f"Complaint {ref} has been resolved. Resolution: Lamp replaced. Please rate our "
        "service: reply with 1 to 5 (5 = excellent). If you are not satisfied, reply OBJECT "
        f"or object within 7 days: {link}"
    )
    assert bodies[4] == f"Thank you for rating complaint {ref} (5/5)."
    assert bodies[5] == f"Complaint {ref} has been closed. Status: {link}"
    assert len(bodies) == 6 and all(m["To"].endswith(f"{CITIZEN}>") or m["To"] == CITIZEN
                                     for m in desk.sent())  # fmt: skip
    (answer,) = db.session.scalars(db.select(SurveyResponse)).all()
    assert answer.rating == 5 and db.session.scalar(db.select(db.func.count(Ticket.id))) == 1
