"""The ``mail_desk`` fixture: an agency with a real Dovecot mailbox and a real SMTP server
(see ``tests.services.mail_desk``). Used through ``pytest_plugins``."""

from __future__ import annotations

import imaplib
import uuid

import pytest

from aduan.services.channel_config.accounts import save_account
from tests.builders import gen_agency, gen_unit
from tests.services.mail_desk import DESK_ADDRESS, MailDesk
from workers.worker import AppWorker


@pytest.fixture
def mail_desk(dovecot, smtp_server, app_ctx, db, monkeypatch) -> MailDesk:
    monkeypatch.setattr(AppWorker, "_app", app_ctx)
    agency = gen_agency("JKR")
    agency.triage_unit_id = gen_unit(agency).id
    mailbox = f"Desk-{uuid.uuid4().hex[:8]}"
    conn = imaplib.IMAP4(dovecot.host, dovecot.port, timeout=10)
    try:
        conn.login(dovecot.user, dovecot.password)
        assert conn.create(f'"{mailbox}"')[0] == "OK"
    finally:
        conn.logout()
    settings = {
        "imap_url": dovecot.url(mailbox),
        "smtp_url": smtp_server.url,
        "mail_from": f"Aduan JKR <{DESK_ADDRESS}>",
    }
    save_account(agency, "email", settings, key="jkr")
    db.session.commit()
    yield MailDesk(agency=agency, dovecot=dovecot, mailbox=mailbox, smtp=smtp_server)
    AppWorker._app = None
