"""IMAP polling against a real Dovecot on loopback (started by scripts/dovecot-test.sh)."""

from __future__ import annotations

import base64
import imaplib
import uuid
from typing import TYPE_CHECKING

import pytest

from channels.base import ChannelError
from channels.email import EmailAdapter
from channels.mail_imap import poll_mailbox

if TYPE_CHECKING:
    from tests.channels.conftest_email import Dovecot

pytest_plugins = ["tests.channels.conftest_email"]

# The first test pays for starting Dovecot, and on a clean machine for apt-get installing it.
pytestmark = pytest.mark.timeout(900)


def message(n: int, tag: str) -> bytes:
    return (
        f"From: Warga {n} <warga{n}@example.my>\r\n"
        f"To: aduan@jkr.gov.my\r\n"
        f"Subject: Aduan {n}\r\n"
        f"Message-ID: <{tag}-{n}@example.my>\r\n"
        f"Date: Mon, 16 Nov 2026 10:00:00 +0800\r\n"
        f"\r\n"
        f"Aduan nombor {n}.\r\n"
    ).encode()


def imap(server: Dovecot) -> imaplib.IMAP4:
    conn = imaplib.IMAP4(server.host, server.port, timeout=10)
    conn.login(server.user, server.password)
    return conn


def append(server: Dovecot, mailbox: str, *raws: bytes) -> None:
    conn = imap(server)
    try:
        for raw in raws:
            status, _ = conn.append(f'"{mailbox}"', None, None, raw)
            assert status == "OK"
    finally:
        conn.logout()


@pytest.fixture
def mailbox(dovecot: Dovecot) -> str:
    """A fresh mailbox per test so tests do not see each other's mail."""
    name = f"Aduan-{uuid.uuid4().hex[:8]}"
    conn = imap(dovecot)
    try:
        assert conn.create(f'"{name}"')[0] == "OK"
    finally:
        conn.logout()
    return name


def test_poll_fetches_new_messages_once(dovecot: Dovecot, mailbox: str) -> None:
    account = {"imap_url": dovecot.url(mailbox)}
    append(dovecot, mailbox, *(message(n, "first") for n in (1, 2, 3)))

    events, state = poll_mailbox(account, {"uidvalidity": None, "last_uid": 0})
    assert [e.provider_id for e in events] == [f"<first-{n}@example.my>" for n in (1, 2, 3)]
    assert [e.payload["uid"] for e in events] == [1, 2, 3]
    assert all(e.kind == "message" and e.payload["mailbox"] == mailbox for e in events)
    assert base64.b64decode(events[0].payload["raw"]).startswith(b"From: Warga 1")
    assert state["last_uid"] == 3 and isinstance(state["uidvalidity"], int)

    again, state = poll_mailbox(account, state)
    assert again == []  # "UID 4:*" still returns UID 3: it must be filtered out
    assert state["last_uid"] == 3

    append(dovecot, mailbox, message(4, "first"))
    events, state = EmailAdapter(account).poll(state)
    assert [e.provider_id for e in events] == ["<first-4@example.my>"]
    assert state["last_uid"] == 4


def test_poll_never_marks_messages_seen(dovecot: Dovecot, mailbox: str) -> None:
    append(dovecot, mailbox, message(1, "seen"))
    poll_mailbox({"imap_url": dovecot.url(mailbox)}, None)
    conn = imap(dovecot)
    try:
        conn.select(f'"{mailbox}"', readonly=True)
        _, data = conn.search(None, "UNSEEN")
    finally:
        conn.logout()
    assert data[0].split() == [b"1"]


def test_uidvalidity_change_rescans_the_mailbox(dovecot: Dovecot, mailbox: str) -> None:
    account = {"imap_url": dovecot.url(mailbox)}
    append(dovecot, mailbox, *(message(n, "old") for n in (1, 2, 3)))
    _, state = poll_mailbox(account, None)
    assert state["last_uid"] == 3

    conn = imap(dovecot)  # delete and recreate: same name, new UIDVALIDITY, UIDs restart at 1
    try:
        assert conn.delete(f'"{mailbox}"')[0] == "OK"
        assert conn.create(f'"{mailbox}"')[0] == "OK"
    finally:
        conn.logout()
    append(dovecot, mailbox, message(1, "new"), message(2, "new"))

    events, new_state = poll_mailbox(account, state)
    assert new_state["uidvalidity"] != state["uidvalidity"]
    assert [e.provider_id for e in events] == ["<new-1@example.my>", "<new-2@example.my>"]
    assert new_state["last_uid"] == 2


def test_poll_respects_the_per_poll_limit(dovecot: Dovecot, mailbox: str) -> None:
    account = {"imap_url": dovecot.url(mailbox), "imap_max_per_poll": 2}
    append(dovecot, mailbox, *(message(n, "limit") for n in (1, 2, 3)))
    first, state = poll_mailbox(account, None)
    rest, state = poll_mailbox(account, state)
    assert [e.payload["uid"] for e in first + rest] == [1, 2, 3]


def test_wrong_password_is_a_channel_error_without_the_password(dovecot: Dovecot) -> None:
    wrong = "Salah-Kata-Laluan-991"
    with pytest.raises(ChannelError) as caught:
        poll_mailbox({"imap_url": dovecot.url(password=wrong)}, None)
    assert caught.value.retryable is False
    assert wrong not in str(caught.value) and dovecot.password not in str(caught.value)


def test_unreachable_server_is_retryable_and_hides_the_password(dovecot: Dovecot) -> None:
    url = dovecot.url().replace(f":{dovecot.port}/", ":1/")
    with pytest.raises(ChannelError) as caught:
        poll_mailbox({"imap_url": url}, None)
    assert caught.value.retryable is True
    assert dovecot.password not in str(caught.value)


def test_missing_mailbox_is_a_channel_error(dovecot: Dovecot) -> None:
    with pytest.raises(ChannelError) as caught:
        poll_mailbox({"imap_url": dovecot.url("Tiada-Peti")}, None)
    assert dovecot.password not in str(caught.value)
