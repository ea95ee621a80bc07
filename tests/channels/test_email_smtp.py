"""SMTP sending against a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import email
from email import policy
from typing import TYPE_CHECKING

import pytest

from channels.base import ChannelError, OutboundRequest
from channels.email import EmailAdapter
from channels.mail_smtp import build_message

if TYPE_CHECKING:
    from tests.channels.conftest_email import SmtpServer

pytest_plugins = ["tests.channels.conftest_email"]

MALAY = "Aduan anda telah diterima. Pegawai: Encik Hafiz — terima kasih atas maklum balas 🙏"


def request(**overrides) -> OutboundRequest:
    values = {
        "channel": "email",
        "to_handle": "aminah.yusof@example.com.my",
        "subject": "[ADU-2026-000123] Aduan anda telah diterima",
        "text": MALAY,
        "message_id": "<ack-000123.1763258700@aduan.jkr.gov.my>",
        "in_reply_to": "<CAB1234.plain.bm@mail.example.com.my>",
        "references": ("<first@mail.example.com.my>",),
    }
    values.update(overrides)
    return OutboundRequest(**values)


def account(server: SmtpServer, **extra: str) -> dict[str, str]:
    return {"smtp_url": server.url, "mail_from": "Aduan JKR <aduan@jkr.gov.my>", **extra}


def test_send_delivers_our_message_id_threading_headers_and_utf8_body(
    smtp_server: SmtpServer,
) -> None:
    result = EmailAdapter(account(smtp_server)).send(request())

    assert result.provider_id == "<ack-000123.1763258700@aduan.jkr.gov.my>"
    (envelope,) = smtp_server.handler.received
    assert envelope.mail_from == "aduan@jkr.gov.my"
    assert envelope.rcpt_tos == ["aminah.yusof@example.com.my"]
    received = email.message_from_bytes(envelope.original_content, policy=policy.default)
    assert received["Message-ID"] == result.provider_id
    assert received["In-Reply-To"] == "<CAB1234.plain.bm@mail.example.com.my>"
    assert received["References"] == (
        "<first@mail.example.com.my> <CAB1234.plain.bm@mail.example.com.my>"
    )
    assert received["X-Aduan"] == "1"
    assert received["Subject"] == "[ADU-2026-000123] Aduan anda telah diterima"
    assert received.get_content_charset() == "utf-8"
    assert received.get_content().strip() == MALAY


def test_send_generates_a_message_id_when_the_core_gives_none(smtp_server: SmtpServer) -> None:
    result = EmailAdapter(account(smtp_server)).send(
        request(message_id=None, in_reply_to=None, references=())
    )
    assert result.provider_id.startswith("<") and result.provider_id.endswith("@jkr.gov.my>")
    (envelope,) = smtp_server.handler.received
    received = email.message_from_bytes(envelope.original_content, policy=policy.default)
    assert received["Message-ID"] == result.provider_id
    assert received["In-Reply-To"] is None and received["References"] is None


def test_451_is_retryable(smtp_server: SmtpServer) -> None:
    smtp_server.handler.reply = "451 4.3.0 Sila cuba sebentar lagi"
    with pytest.raises(ChannelError) as caught:
        EmailAdapter(account(smtp_server)).send(request())
    assert caught.value.retryable is True
    assert caught.value.code == "451"


def test_550_is_not_retryable(smtp_server: SmtpServer) -> None:
    smtp_server.handler.rcpt_reply = "550 5.1.1 No such user"
    with pytest.raises(ChannelError) as caught:
        EmailAdapter(account(smtp_server)).send(request())
    assert caught.value.retryable is False
    assert caught.value.code == "550"


def test_554_on_data_is_not_retryable(smtp_server: SmtpServer) -> None:
    smtp_server.handler.reply = "554 5.7.1 Message rejected"
    with pytest.raises(ChannelError) as caught:
        EmailAdapter(account(smtp_server)).send(request())
    assert caught.value.retryable is False


def test_connection_refused_is_retryable_and_hides_the_password() -> None:
    url = "smtp://aduan:Rahsia-SMTP-1@127.0.0.1:1"  # nothing listens on port 1
    adapter = EmailAdapter({"smtp_url": url, "mail_from": "aduan@jkr.gov.my"})
    with pytest.raises(ChannelError) as caught:
        adapter.send(request())
    assert caught.value.retryable is True
    assert "Rahsia-SMTP-1" not in str(caught.value)


def test_build_message_needs_mail_from() -> None:
    with pytest.raises(ChannelError) as caught:
        build_message({}, request())
    assert caught.value.retryable is False
