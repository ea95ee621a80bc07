"""A mail desk for end-to-end e-mail tests (the fixture: ``conftest_mail_desk``): an agency
whose mailbox is a real Dovecot folder and whose outgoing mail goes to a real aiosmtpd, mail
appended over IMAP, the periodic poll, and burst workers running the ingest and outbound jobs."""

from __future__ import annotations

import email
import imaplib
from dataclasses import dataclass
from email import policy

import redis as redis_lib
from rq import Queue

from aduan.extensions import db
from aduan.models import Agency, OutboundMessage
from tests.conftest import REDIS_URL
from workers import intake_jobs
from workers.worker import AppWorker

DESK_ADDRESS = "aduan@jkr.gov.my"


@dataclass
class MailDesk:
    """One agency's mailbox (``mailbox`` on ``dovecot``) and the SMTP server it sends through."""

    agency: Agency
    dovecot: object
    mailbox: str
    smtp: object

    def deliver(self, *raws: bytes) -> None:
        """Put mail in the mailbox (IMAP APPEND), poll it and run the jobs it starts."""
        conn = imaplib.IMAP4(self.dovecot.host, self.dovecot.port, timeout=10)
        try:
            conn.login(self.dovecot.user, self.dovecot.password)
            for raw in raws:
                assert conn.append(f'"{self.mailbox}"', None, None, raw)[0] == "OK"
        finally:
            conn.logout()
        intake_jobs.poll_mailboxes()
        run_jobs()

    def sent(self) -> list[email.message.EmailMessage]:
        """What reached the SMTP server, parsed."""
        return [
            email.message_from_bytes(envelope.original_content, policy=policy.default)
            for envelope in self.smtp.handler.received
        ]


def run_jobs() -> None:
    """Acknowledgements and replies first, then ingest, then everything else queued for sending."""
    connection = redis_lib.Redis.from_url(REDIS_URL)
    queues = [
        Queue(f"test-{name}", connection=connection) for name in ("first", "ingest", "outbound")
    ]
    AppWorker(queues, connection=connection).work(burst=True)
    db.session.expire_all()


def outbound(purpose: str | None = None) -> list[OutboundMessage]:
    query = db.select(OutboundMessage).order_by(OutboundMessage.id)
    if purpose is not None:
        query = query.where(OutboundMessage.purpose == purpose)
    return list(db.session.scalars(query))
