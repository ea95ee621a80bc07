"""The periodic ``poll_mailboxes`` job against a real Dovecot: accounts from the database and
the environment default, mail becomes tickets through the ingest jobs, nothing twice, a new
UIDVALIDITY, and one broken mailbox that stops nobody and leaks no personal data."""

from __future__ import annotations

import imaplib
import json
import logging
import uuid
from typing import TYPE_CHECKING

import pytest
import redis as redis_lib
from rq import Queue

from aduan.extensions import db
from aduan.models import ChannelAccount, InboundEvent, Message, Ticket
from aduan.services.channel_config.accounts import save_account
from aduan.services.intake import mail_polling as mail_intake
from aduan.services.outbox import replies
from tests.builders import gen_agency, gen_officer, gen_unit
from tests.conftest import REDIS_URL
from workers import intake_jobs
from workers.worker import AppWorker

if TYPE_CHECKING:
    from tests.channels.conftest_email import Dovecot

pytest_plugins = ["tests.channels.conftest_email"]
pytestmark = pytest.mark.timeout(900)  # the first test may pay for installing Dovecot

WRONG_PASSWORD = "Salah-Kata-Laluan-5521"


def mail(n: int, tag: str) -> bytes:
    return (
        f"From: Warga {n} <warga{n}.{tag}@example.my>\r\n"
        f"To: aduan@jkr.gov.my\r\n"
        f"Subject: Longkang tersumbat {tag} {n}\r\n"
        f"Message-ID: <{tag}-{n}@example.my>\r\n"
        f"Date: Mon, 16 Nov 2026 10:00:00 +0800\r\n"
        f"\r\n"
        f"Longkang di lorong {n} tersumbat sejak semalam.\r\n"
    ).encode()


def imap(server: Dovecot) -> imaplib.IMAP4:
    conn = imaplib.IMAP4(server.host, server.port, timeout=10)
    conn.login(server.user, server.password)
    return conn


def new_mailbox(server: Dovecot, name: str | None = None) -> str:
    name = name or f"Aduan-{uuid.uuid4().hex[:8]}"
    conn = imap(server)
    try:
        assert conn.create(f'"{name}"')[0] == "OK"
    finally:
        conn.logout()
    return name


def append(server: Dovecot, mailbox: str, *raws: bytes) -> None:
    conn = imap(server)
    try:
        for raw in raws:
            assert conn.append(f'"{mailbox}"', None, None, raw)[0] == "OK"
    finally:
        conn.logout()


def recreate(server: Dovecot, mailbox: str) -> None:
    """Delete and create again: same name, new UIDVALIDITY, UIDs start at 1."""
    conn = imap(server)
    try:
        assert conn.delete(f'"{mailbox}"')[0] == "OK"
        assert conn.create(f'"{mailbox}"')[0] == "OK"
    finally:
        conn.logout()


@pytest.fixture
def worker_app(app_ctx, monkeypatch):
    monkeypatch.setattr(AppWorker, "_app", app_ctx)
    yield app_ctx
    AppWorker._app = None


def run_ingest_jobs() -> None:
    connection = redis_lib.Redis.from_url(REDIS_URL)
    AppWorker([Queue("test-ingest", connection=connection)], connection=connection).work(burst=True)
    db.session.expire_all()


def tickets_by_agency() -> dict[int, int]:
    rows = db.session.execute(
        db.select(Ticket.agency_id, db.func.count(Ticket.id)).group_by(Ticket.agency_id)
    ).all()
    return dict(rows)


@pytest.fixture
def mailboxes(dovecot: Dovecot, worker_app, db, monkeypatch):
    """Agency JKR with its own mailbox (a database account), a default agency read through
    ``ADUAN_IMAP_URL``, and a third account whose password is wrong."""
    default_agency = gen_agency("DEF")
    default_agency.triage_unit_id = gen_unit(default_agency).id
    jkr = gen_agency("JKR")
    jkr.triage_unit_id = gen_unit(jkr).id
    boxes = {"jkr": new_mailbox(dovecot), "default": new_mailbox(dovecot)}
    save_account(jkr, "email", {"imap_url": dovecot.url(boxes["jkr"])}, key="jkr")
    broken_url = dovecot.url(new_mailbox(dovecot), password=WRONG_PASSWORD)
    save_account(jkr, "email", {"imap_url": broken_url}, key="broken")
    db.session.commit()
    monkeypatch.setitem(worker_app.config, "IMAP_URL", dovecot.url(boxes["default"]))
    monkeypatch.setitem(worker_app.config, "DEFAULT_AGENCY_CODE", "DEF")
    return {"boxes": boxes, "jkr": jkr, "default": default_agency}


def test_polled_mail_becomes_tickets_once_and_a_broken_mailbox_stops_nobody(
    dovecot, mailboxes, caplog
):
    boxes, jkr, default = mailboxes["boxes"], mailboxes["jkr"], mailboxes["default"]
    append(dovecot, boxes["jkr"], mail(1, "jkr"), mail(2, "jkr"))
    append(dovecot, boxes["default"], mail(1, "env"))

    with caplog.at_level(logging.DEBUG):
        assert intake_jobs.poll_mailboxes() == {"jkr": 2, "broken": 0, "default": 1}
    run_ingest_jobs()
    assert tickets_by_agency() == {jkr.id: 2, default.id: 1}
    senders = set(db.session.scalars(db.select(Message.sender).where(Message.direction == "in")))
    assert senders == {"warga1.jkr@example.my", "warga2.jkr@example.my", "warga1.env@example.my"}

    # The broken mailbox is reported to admins on its account, without secrets.
    broken = db.session.scalar(
        db.select(ChannelAccount).where(ChannelAccount.account_key == "broken")
    )
    assert broken.last_error and "refused" in broken.last_error
    assert WRONG_PASSWORD not in broken.last_error and broken.last_error_at is not None
    working = db.session.scalar(
        db.select(ChannelAccount).where(ChannelAccount.account_key == "jkr")
    )
    assert working.last_error is None and working.last_success_at is not None
    assert working.poll_state["last_uid"] == 2
    # … and in the logs, with no password and no complainant's address or words.
    logged = caplog.text
    assert "account=broken" in logged
    for secret in (WRONG_PASSWORD, dovecot.password, "warga1", "@example.my", "Longkang"):
        assert secret not in logged

    # Polling again fetches nothing: no new events, no new tickets.
    assert intake_jobs.poll_mailboxes() == {"jkr": 0, "broken": 0, "default": 0}
    run_ingest_jobs()
    assert db.session.scalar(db.select(db.func.count(InboundEvent.id))) == 3
    assert tickets_by_agency() == {jkr.id: 2, default.id: 1}

    # New mail on the next poll.
    append(dovecot, boxes["jkr"], mail(3, "jkr"))
    assert intake_jobs.poll_mailboxes()["jkr"] == 1
    run_ingest_jobs()
    assert tickets_by_agency() == {jkr.id: 3, default.id: 1}

    stored = redis_lib.Redis.from_url(REDIS_URL).get("aduan:poll-state:email:default")
    assert json.loads(stored)["last_uid"] == 1  # the environment default keeps its state too
    status = mail_intake.environment_status()  # … and its health, for the admins
    assert status["last_success_at"] and status["last_error"] is None


def test_a_failing_environment_mailbox_is_recorded_for_admins(dovecot, mailboxes, monkeypatch):
    from flask import current_app

    url = dovecot.url(mailboxes["boxes"]["default"], password=WRONG_PASSWORD)
    monkeypatch.setitem(current_app.config, "IMAP_URL", url)
    assert intake_jobs.poll_mailboxes()["default"] == 0
    status = mail_intake.environment_status()
    assert status["last_error"] and status["last_error_at"] and status["last_success_at"] is None
    assert WRONG_PASSWORD not in status["last_error"] and dovecot.user not in status["last_error"]


def test_a_new_uidvalidity_rescans_without_doubling_tickets(dovecot, mailboxes):
    boxes, jkr = mailboxes["boxes"], mailboxes["jkr"]
    append(dovecot, boxes["jkr"], mail(1, "uv"), mail(2, "uv"))
    assert intake_jobs.poll_mailboxes()["jkr"] == 2
    run_ingest_jobs()
    before = db.session.scalar(
        db.select(ChannelAccount.poll_state).where(ChannelAccount.account_key == "jkr")
    )

    # The server rebuilt the mailbox: new UIDVALIDITY, UIDs from 1 again; it still holds one
    # message we already have and one we do not.
    recreate(dovecot, boxes["jkr"])
    append(dovecot, boxes["jkr"], mail(2, "uv"), mail(3, "uv"))
    assert intake_jobs.poll_mailboxes()["jkr"] == 1  # <uv-2> is known by its Message-ID
    run_ingest_jobs()
    after = db.session.scalar(
        db.select(ChannelAccount.poll_state).where(ChannelAccount.account_key == "jkr")
    )
    assert after["uidvalidity"] != before["uidvalidity"] and after["last_uid"] == 2
    assert tickets_by_agency()[jkr.id] == 3
    assert intake_jobs.poll_mailboxes()["jkr"] == 0


def test_an_unexpected_failure_in_one_mailbox_stops_nobody(dovecot, mailboxes, monkeypatch, caplog):
    from channels import mail_imap

    boxes = mailboxes["boxes"]
    append(dovecot, boxes["jkr"], mail(1, "odd"))
    append(dovecot, boxes["default"], mail(2, "odd"))
    select = mail_imap._select

    def answers_bad(conn, mailbox):  # the server answers BAD for the JKR mailbox
        if mailbox == boxes["jkr"]:
            raise imaplib.IMAP4.error("UID SEARCH failed: BAD for warga1.odd@example.my")
        return select(conn, mailbox)

    monkeypatch.setattr(mail_imap, "_select", answers_bad)
    with caplog.at_level(logging.INFO):
        assert intake_jobs.poll_mailboxes() == {"jkr": 0, "broken": 0, "default": 1}
    row = db.session.scalar(db.select(ChannelAccount).where(ChannelAccount.account_key == "jkr"))
    assert "refused a command" in row.last_error and "warga1" not in row.last_error
    assert "warga1" not in caplog.text and dovecot.password not in caplog.text

    def crashes(self, event, key):  # a bug, or the database failing, for one account only
        raise RuntimeError("insert failed for warga1.odd@example.my")

    monkeypatch.setattr(mail_imap, "_select", select)
    store = mail_intake.store_event
    monkeypatch.setattr(
        mail_intake,
        "store_event",
        lambda event, key: crashes(None, event, key) if key == "jkr" else store(event, key),
    )
    append(dovecot, boxes["default"], mail(3, "odd"))
    caplog.clear()
    assert intake_jobs.poll_mailboxes() == {"jkr": 0, "broken": 0, "default": 1}
    db.session.expire_all()
    row = db.session.scalar(db.select(ChannelAccount).where(ChannelAccount.account_key == "jkr"))
    assert row.last_error.startswith("unexpected RuntimeError") and "warga1" not in row.last_error
    assert "account=jkr error=RuntimeError" in caplog.text and "warga1" not in caplog.text

    monkeypatch.setattr(mail_intake, "store_event", store)
    assert intake_jobs.poll_mailboxes()["jkr"] == 1  # mended: the mail was not skipped


def reply_mail(tag: str, in_reply_to: str, references: str) -> bytes:
    return (
        f"From: Warga 1 <warga1.{tag}@example.my>\r\n"
        f"To: aduan@jkr.gov.my\r\nCc: aduan@def.gov.my\r\n"
        f"Subject: Re: Longkang tersumbat {tag} 1\r\n"
        f"Message-ID: <{tag}-reply@example.my>\r\n"
        f"In-Reply-To: {in_reply_to}\r\nReferences: {references}\r\n"
        f"Date: Tue, 17 Nov 2026 10:00:00 +0800\r\n"
        f"\r\n"
        f"Masih tersumbat, sila datang segera.\r\n"
    ).encode()


def messages_by_agency() -> dict[int, int]:
    rows = db.session.execute(
        db.select(Ticket.agency_id, db.func.count(Message.id))
        .join(Message, Message.ticket_id == Ticket.id)
        .where(Message.direction == "in")
        .group_by(Ticket.agency_id)
    ).all()
    return dict(rows)


def test_one_mail_to_two_agencies_is_a_ticket_for_each_and_replies_thread_per_agency(
    dovecot, mailboxes
):
    boxes, jkr, default = mailboxes["boxes"], mailboxes["jkr"], mailboxes["default"]
    original = mail(1, "both")  # one e-mail, To: one agency, Cc: the other
    append(dovecot, boxes["jkr"], original)
    append(dovecot, boxes["default"], original)
    assert intake_jobs.poll_mailboxes() == {"jkr": 1, "broken": 0, "default": 1}
    run_ingest_jobs()
    assert tickets_by_agency() == {jkr.id: 1, default.id: 1}

    # The same mailbox polled again, or rescanned after a new UIDVALIDITY: nothing doubles.
    assert intake_jobs.poll_mailboxes() == {"jkr": 0, "broken": 0, "default": 0}
    recreate(dovecot, boxes["jkr"])
    append(dovecot, boxes["jkr"], original)
    assert intake_jobs.poll_mailboxes()["jkr"] == 0

    # JKR answers; the complainant replies to all: each copy continues its own agency's ticket
    # (JKR's by our reply's Message-ID, the other by the original's), no new ticket anywhere.
    jkr_ticket = db.session.scalar(db.select(Ticket).where(Ticket.agency_id == jkr.id))
    ours = replies.queue_reply(jkr_ticket, gen_officer(jkr), "Kontraktor akan datang esok.")
    chain = f"<both-1@example.my> {ours.email_message_id}"
    answer = reply_mail("both", ours.email_message_id, chain)
    append(dovecot, boxes["jkr"], answer)
    append(dovecot, boxes["default"], answer)
    assert intake_jobs.poll_mailboxes() == {"jkr": 1, "broken": 0, "default": 1}
    run_ingest_jobs()
    assert tickets_by_agency() == {jkr.id: 1, default.id: 1}
    assert messages_by_agency() == {jkr.id: 2, default.id: 2}


def test_mail_stored_before_ids_were_scoped_per_mailbox_is_not_stored_again(dovecot, mailboxes):
    boxes = mailboxes["boxes"]
    append(dovecot, boxes["jkr"], mail(1, "old"))
    assert intake_jobs.poll_mailboxes()["jkr"] == 1
    # As the code before stored it: the bare Message-ID.
    event = db.session.scalar(db.select(InboundEvent).where(InboundEvent.account_key == "jkr"))
    assert event.provider_id == "jkr:<old-1@example.my>"
    event.provider_id = "<old-1@example.my>"
    db.session.commit()
    recreate(dovecot, boxes["jkr"])  # a rescan meets the old mail again
    append(dovecot, boxes["jkr"], mail(1, "old"), mail(2, "old"))
    assert intake_jobs.poll_mailboxes()["jkr"] == 1  # only the new one


def test_mail_of_a_poll_whose_commit_failed_is_fetched_again(dovecot, mailboxes, monkeypatch):
    from sqlalchemy.exc import OperationalError

    for row in db.session.scalars(db.select(ChannelAccount)):
        row.active = False  # the ADUAN_IMAP_URL mailbox alone
    db.session.commit()
    append(dovecot, mailboxes["boxes"]["default"], mail(1, "lost"))
    commit, failures = db.session.commit, []

    def fails_once():
        if failures:
            return commit()
        failures.append(True)
        db.session.rollback()
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(db.session, "commit", fails_once)
    assert intake_jobs.poll_mailboxes() == {"default": 0}
    assert failures and db.session.scalar(db.select(db.func.count(InboundEvent.id))) == 0

    assert intake_jobs.poll_mailboxes() == {"default": 1}  # the mail was not skipped
    run_ingest_jobs()
    assert tickets_by_agency() == {mailboxes["default"].id: 1}
    senders = db.session.scalars(db.select(Message.sender).where(Message.direction == "in"))
    assert list(senders) == ["warga1.lost@example.my"]
