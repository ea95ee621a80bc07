"""E-mail parsing: golden fixtures, loop guards, RFC 3464 bounces and a corpus of awkward mail."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from channels.base import InboundMessage, ParseError, RawEvent, RawRequest
from channels.email import EmailAdapter, parse_bounce
from channels.mail_imap import event_from_bytes
from channels.mail_parse import MAX_PART_BYTES, clean_reply, html_to_text, parse_message
from channels.registry import get_adapter_class

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOLDEN_DIR = FIXTURES / "channels" / "email"
CORPUS_DIR = FIXTURES / "email-corpus"
GOLDEN = sorted(GOLDEN_DIR.glob("*.eml"))
CORPUS = sorted(CORPUS_DIR.glob("*.eml"))


def message_as_dict(message: InboundMessage) -> dict[str, Any]:
    """The normalised, JSON-comparable form stored in the golden ``.expected.json`` files."""
    data = dataclasses.asdict(message)
    data["received_at"] = message.received_at.isoformat()
    data["hints"]["references"] = list(message.hints.references)
    data["attachments"] = [
        {
            "filename": a.filename,
            "content_type": a.content_type,
            "size": None if a.data is None else len(a.data),
            "sha256": None if a.data is None else hashlib.sha256(a.data).hexdigest(),
        }
        for a in message.attachments
    ]
    return data


def mail(headers: dict[str, str], body: str = "Jalan berlubang.\n") -> bytes:
    lines = [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8")


def base_headers(**extra: str) -> dict[str, str]:
    headers = {
        "From": "Ali <ali@example.my>",
        "To": "aduan@jkr.gov.my",
        "Subject": "Aduan",
        "Message-ID": "<guard@example.my>",
        "Date": "Mon, 16 Nov 2026 10:00:00 +0800",
    }
    headers.update({k.replace("_", "-"): v for k, v in extra.items()})
    return headers


def stored(raw: bytes, uid: int = 7) -> RawEvent:
    return event_from_bytes(raw, mailbox="INBOX", uid=uid)


# -- golden fixtures ----------------------------------------------------------------------------


def test_there_are_golden_fixtures() -> None:
    assert len(GOLDEN) >= 10
    assert all(p.with_suffix(".expected.json").exists() for p in GOLDEN)


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_message(path: Path) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    message = parse_message(path.read_bytes())
    assert message_as_dict(message) == expected


def test_adapter_parse_adds_mailbox_and_uid() -> None:
    raw = (GOLDEN_DIR / "plain_bm.eml").read_bytes()
    (message,) = EmailAdapter({}).parse(stored(raw, uid=42))
    assert isinstance(message, InboundMessage)
    assert message.extra["mailbox"] == "INBOX" and message.extra["uid"] == 42
    assert message.received_at.tzinfo is not None


def test_adapter_is_registered_as_email() -> None:
    assert get_adapter_class("email") is EmailAdapter


def test_parse_rejects_a_payload_without_raw_bytes() -> None:
    event = RawEvent(channel="email", kind="message", provider_id="x", payload={"raw": "%%%"})
    with pytest.raises(ParseError):
        EmailAdapter({}).parse(event)


# -- text cleaning ------------------------------------------------------------------------------


def test_html_to_text_drops_scripts_and_keeps_breaks() -> None:
    html = "<style>p{}</style><p>Satu<br>Dua</p><ul><li>A</li><li>B</li></ul><script>x()</script>"
    assert html_to_text(html + "&amp; &lt;tag&gt;") == "Satu\nDua\n\n- A\n- B\n\n& <tag>"


@pytest.mark.parametrize(
    "text",
    [
        "Baru.\n\nOn Mon, 1 Jan 2026, A <a@b.my> wrote:\n> lama",
        "Baru.\n\nPada Isn, 1 Jan 2026 Ali <a@b.my> menulis:\n> lama",
        "Baru.\n\n-----Original Message-----\nFrom: x\nSent: y\n\nlama",
        "Baru.\n\nFrom: Aduan <a@b.my>\nSent: Monday\nTo: me\nSubject: s\n\nlama",
        "Baru.\n-- \nAli bin Abu\n012-3456789",
        "Baru.\n\nSent from my iPhone",
        "Baru.\n\nDihantar dari iPhone saya",
        "> lama\nBaru.\n> lama lagi",
    ],
)
def test_clean_reply_keeps_only_the_new_text(text: str) -> None:
    assert clean_reply(text) == "Baru."


def test_clean_reply_never_returns_nothing_for_an_all_quoted_message() -> None:
    assert clean_reply("> hanya petikan") == "> hanya petikan"


# -- loop guards --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"Precedence": "bulk"},
        {"Precedence": "list"},
        {"Precedence": "junk"},
        {"List-Id": "<pengumuman.example.my>"},
        {"Return-Path": "<>"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Out of office"},
    ],
    ids=lambda e: "-".join(f"{k}={v}" for k, v in e.items()),
)
def test_auto_submitted_mail_is_flagged(extra: dict[str, str]) -> None:
    headers = base_headers()
    headers.update(extra)
    assert parse_message(mail(headers)).auto_submitted is True


@pytest.mark.parametrize(
    "extra", [{}, {"Auto-Submitted": "no"}, {"Return-Path": "<ali@example.my>"}], ids=str
)
def test_personal_mail_is_not_flagged(extra: dict[str, str]) -> None:
    headers = base_headers()
    headers.update(extra)
    assert parse_message(mail(headers)).auto_submitted is False


# -- bounces ------------------------------------------------------------------------------------

DSN = """\
Return-Path: <>
Received: by mx.jkr.gov.my (Postfix) id 4Zk2Qm1XyZz9sRt; Mon, 16 Nov 2026 10:05:03 +0800 (+08)
Date: Mon, 16 Nov 2026 10:05:03 +0800 (+08)
From: MAILER-DAEMON@mx.jkr.gov.my (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: aduan@jkr.gov.my
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4Zk2Qm1XyZz9sRt.1763258703/mx.jkr.gov.my"
Content-Transfer-Encoding: 8bit
Message-Id: <20261116020503.4Zk2Qm1XyZz9sRt@mx.jkr.gov.my>

This is a MIME-encapsulated message.

--4Zk2Qm1XyZz9sRt.1763258703/mx.jkr.gov.my
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.jkr.gov.my.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<tiada.orang@example.my>: host mx.example.my[203.0.113.5] said: 550 5.1.1
    <tiada.orang@example.my>: Recipient address rejected: User unknown

--4Zk2Qm1XyZz9sRt.1763258703/mx.jkr.gov.my
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.jkr.gov.my
X-Postfix-Queue-ID: 4Zk2Qm1XyZz9sRt
X-Postfix-Sender: rfc822; aduan@jkr.gov.my
Arrival-Date: Mon, 16 Nov 2026 10:05:01 +0800 (+08)

Final-Recipient: rfc822; tiada.orang@example.my
Original-Recipient: rfc822;tiada.orang@example.my
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.my
Diagnostic-Code: smtp; 550 5.1.1 <tiada.orang@example.my>: Recipient address
    rejected: User unknown

--4Zk2Qm1XyZz9sRt.1763258703/mx.jkr.gov.my
Content-Description: Undelivered Message Headers
Content-Type: {returned_type}

Return-Path: <aduan@jkr.gov.my>
From: Aduan JKR <aduan@jkr.gov.my>
To: tiada.orang@example.my
Subject: [ADU-2026-000123] Aduan anda telah diterima
Date: Mon, 16 Nov 2026 10:05:00 +0800
Message-ID: <ack-000123.1763258700@aduan.jkr.gov.my>
X-Aduan: 1
{returned_body}
--4Zk2Qm1XyZz9sRt.1763258703/mx.jkr.gov.my--
"""


def dsn(returned_type: str = "text/rfc822-headers", returned_body: str = "") -> bytes:
    text = DSN.format(returned_type=returned_type, returned_body=returned_body)
    return text.replace("\n", "\r\n").encode("ascii")


@pytest.mark.parametrize(
    "returned",
    [("text/rfc822-headers", ""), ("message/rfc822", "\nAduan anda telah diterima.\n")],
    ids=["headers-only", "full-message"],
)
def test_dsn_becomes_a_failed_status_for_our_message_id(returned: tuple[str, str]) -> None:
    raw = dsn(*returned)
    event = stored(raw)
    assert event.kind == "status"
    assert event.provider_id == "<20261116020503.4Zk2Qm1XyZz9sRt@mx.jkr.gov.my>"
    (status,) = EmailAdapter({}).parse_status(event)
    assert status.provider_id == "<ack-000123.1763258700@aduan.jkr.gov.my>"
    assert status.status == "failed"
    assert status.error is not None
    assert status.error.startswith("5.1.1: smtp; 550 5.1.1")
    assert "User unknown" in status.error
    assert status.at is not None and status.at.tzinfo is not None


def test_ordinary_mail_is_a_message_event() -> None:
    event = stored((GOLDEN_DIR / "plain_bm.eml").read_bytes())
    assert event.kind == "message"
    assert event.provider_id == "<CAB1234.plain.bm@mail.example.com.my>"
    assert base64.b64decode(event.payload["raw"]).startswith(b"Return-Path")


def test_dsn_without_the_original_message_id_is_a_parse_error() -> None:
    raw = dsn().replace(b"Message-ID: <ack-000123.1763258700@aduan.jkr.gov.my>\r\n", b"")
    with pytest.raises(ParseError):
        parse_bounce(raw)


def test_split_of_posted_raw_mime_classifies_bounces() -> None:
    adapter = EmailAdapter({"inbound_token": "t0ken"})
    request = RawRequest(
        method="POST",
        url="https://aduan.test/hooks/email",
        headers={"X-Aduan-Token": "t0ken"},
        body=dsn(),
    )
    assert adapter.verify(request) is True
    assert [e.kind for e in adapter.split(request)] == ["status"]
    assert EmailAdapter({}).verify(request) is False


# -- corpus of awkward mail ---------------------------------------------------------------------


def test_the_corpus_has_at_least_ten_messages() -> None:
    assert len(CORPUS) >= 10


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_message_parses_or_is_a_parse_error(path: Path) -> None:
    raw = path.read_bytes()
    try:
        message = EmailAdapter({}).parse(stored(raw))[0]
    except ParseError as exc:
        assert str(exc)  # quarantined with a reason
        return
    assert isinstance(message, InboundMessage)
    assert message.sender_handle == message.sender_handle.lower()
    assert "@" in message.sender_handle
    assert message.provider_id


def test_corpus_specifics() -> None:
    def parsed(name: str) -> InboundMessage:
        return parse_message((CORPUS_DIR / name).read_bytes())

    assert parsed("missing_message_id.eml").provider_id.startswith("sha256:")
    with pytest.raises(ParseError, match="sender"):
        parsed("missing_from.eml")
    forward = parsed("forward_rfc822.eml")
    assert forward.attachments[0].content_type == "message/rfc822"
    assert "bengkel" in forward.text
    assert "Kampung Baru" in parsed("nested_6_deep.eml").text
    assert parsed("eight_bit_headers.eml").hints.subject == "Jalan rosak — sangat teruk ✓"
    assert parsed("eight_bit_headers.eml").sender_name == "Zoë Ñúñez"
    assert parsed("broken_duplicated_headers.eml").provider_id == "<dup-1@example.my>"
    assert parsed("html_quoted_reply.eml").text == "Pokok masih belum dialihkan."
    assert parsed("empty_body.eml").text == ""


def test_a_30_mb_attachment_is_recorded_without_its_data() -> None:
    msg = EmailMessage()
    msg["From"] = "Besar <besar@example.my>"
    msg["Subject"] = "Video aduan"
    msg["Message-ID"] = "<big@example.my>"
    msg.set_content("Rakaman video dilampirkan.")
    msg.add_attachment(
        b"\0" * (30 * 1024 * 1024), maintype="video", subtype="mp4", filename="rakaman.mp4"
    )
    message = parse_message(msg.as_bytes())
    (attachment,) = message.attachments
    assert attachment.filename == "rakaman.mp4" and attachment.data is None
    (oversized,) = message.extra["oversized_attachments"]
    assert oversized["size"] > MAX_PART_BYTES
    assert message.text == "Rakaman video dilampirkan."
