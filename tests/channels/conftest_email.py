"""Fixtures for the e-mail channel tests: a real Dovecot and a real aiosmtpd on loopback.

Imported by the e-mail test modules through ``pytest_plugins``. Dovecot comes from
``scripts/dovecot-test.sh`` (installs dovecot-imapd when missing); the tests skip only when the
script reports (exit 3) that Dovecot cannot be installed on this machine.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
DOVECOT_SCRIPT = ROOT / "scripts" / "dovecot-test.sh"
IMAP_USER = "aduan"
IMAP_PASSWORD = "Rahsia-IMAP-8472"  # asserted never to appear in error messages


@dataclass
class Dovecot:
    host: str
    port: int
    user: str = IMAP_USER
    password: str = IMAP_PASSWORD

    def url(self, mailbox: str = "INBOX", password: str | None = None) -> str:
        from urllib.parse import quote

        secret = quote(password if password is not None else self.password, safe="")
        return f"imap://{self.user}:{secret}@{self.host}:{self.port}/{quote(mailbox)}"


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """A Dovecot IMAP server on 127.0.0.1 with one passwd-file user, for the whole session."""
    # Not pytest's tmp_path: that is mode 0700 and Dovecot's auth and mail processes run as
    # other users. Short, too: Dovecot's unix sockets live under it (sun_path is ~108 bytes).
    workdir = Path(tempfile.mkdtemp(prefix="aduan-dovecot-"))
    workdir.chmod(0o755)
    try:
        start = subprocess.run(
            [str(DOVECOT_SCRIPT), "start", str(workdir), IMAP_USER, IMAP_PASSWORD],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if start.returncode == 3:
            pytest.skip(f"Dovecot cannot be installed here: {start.stderr.strip()}")
        assert start.returncode == 0, f"dovecot-test.sh start failed:\n{start.stderr}"
        port = int((workdir / "port").read_text())
        yield Dovecot(host="127.0.0.1", port=port)
    finally:
        subprocess.run([str(DOVECOT_SCRIPT), "stop", str(workdir)], timeout=60, check=False)
        shutil.rmtree(workdir, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RecordingHandler:
    """aiosmtpd handler that keeps what it received and answers ``reply`` to DATA."""

    reply: str = "250 OK"
    rcpt_reply: str | None = None
    received: list[Any] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.reply.startswith("250"):
            self.received.append(envelope)
        return self.reply


@dataclass
class SmtpServer:
    handler: RecordingHandler
    port: int

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real aiosmtpd server on 127.0.0.1 and a port picked here (aiosmtpd rejects port 0)."""
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(handler=handler, port=port)
    finally:
        controller.stop()
