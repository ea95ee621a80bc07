"""SMTP sender: one OutboundRequest → one UTF-8 e-mail carrying our Message-ID."""

from __future__ import annotations

import email.utils
import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from channels.base import ChannelError, OutboundRequest, SendResult

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30
_DEFAULT_PORTS = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}


def _domain(account: Mapping[str, Any]) -> str:
    if account.get("message_id_domain"):
        return str(account["message_id_domain"])
    _, addr = email.utils.parseaddr(str(account.get("mail_from") or ""))
    return addr.rpartition("@")[2] or "localhost"


def build_message(account: Mapping[str, Any], request: OutboundRequest) -> EmailMessage:
    """The e-mail for ``request``: From = ``account["mail_from"]``, threading headers, UTF-8 body.

    ``X-Aduan: 1`` marks every message we send so our own mail is recognisable when it loops
    back (``mail_guard``); whether a message is an automatic reply is the core's call
    (``request.automatic``: ``Auto-Submitted: auto-replied``, else ``no``, RFC 3834).
    """
    if not account.get("mail_from"):
        raise ChannelError("e-mail account has no mail_from", retryable=False)
    msg = EmailMessage()
    msg["From"] = str(account["mail_from"])
    msg["To"] = request.to_handle
    msg["Subject"] = request.subject or ""
    msg["Date"] = email.utils.formatdate(usegmt=True)
    msg["Message-ID"] = request.message_id or email.utils.make_msgid(domain=_domain(account))
    references = list(request.references)
    if request.in_reply_to:
        msg["In-Reply-To"] = request.in_reply_to
        if request.in_reply_to not in references:
            references.append(request.in_reply_to)
    if references:
        msg["References"] = " ".join(references)
    if account.get("reply_to"):
        msg["Reply-To"] = str(account["reply_to"])
    msg["X-Aduan"] = "1"
    msg["Auto-Submitted"] = "auto-replied" if request.automatic else "no"
    msg.set_content(request.text, charset="utf-8")
    return msg


def _client(smtp_url: str) -> tuple[smtplib.SMTP, str | None, str | None]:
    url = urlsplit(smtp_url)
    if url.scheme not in _DEFAULT_PORTS or not url.hostname:
        raise ChannelError(
            "smtp_url must be smtp[s|+starttls]://user:pass@host:port", retryable=False
        )
    port = url.port or _DEFAULT_PORTS[url.scheme]
    context = ssl.create_default_context()
    if url.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            url.hostname, port, timeout=TIMEOUT_SECONDS, context=context
        )
    else:
        client = smtplib.SMTP(url.hostname, port, timeout=TIMEOUT_SECONDS)
        if url.scheme == "smtp+starttls":
            client.starttls(context=context)
    user = unquote(url.username) if url.username else None
    password = unquote(url.password) if url.password else None
    return client, user, password


def _error(exc: Exception, password: str | None) -> ChannelError:
    """4xx and network trouble may pass; 5xx will not."""
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code = next(iter(exc.recipients.values()))[0]
    text = str(exc)
    if password:
        text = text.replace(password, "***")
    if isinstance(code, int) and code >= 500:
        return ChannelError(
            f"SMTP rejected the message ({code}): {text}", retryable=False, code=str(code)
        )
    return ChannelError(f"SMTP temporary failure: {text}", code=str(code) if code else None)


def check_server(smtp_url: str) -> str:
    """EHLO and, when the URL names a user, log in (the admin's "test connection")."""
    password = None
    try:
        client, user, password = _client(smtp_url)
        with client:
            code, _ = client.ehlo()
            if user:
                client.login(user, password or "")
    except ChannelError:
        raise
    except (smtplib.SMTPException, OSError) as exc:
        raise _error(exc, password) from None
    return f"SMTP {urlsplit(smtp_url).hostname}: {code}"


def send_mail(account: Mapping[str, Any], request: OutboundRequest) -> SendResult:
    """Send ``request`` through ``account["smtp_url"]``; provider_id is the Message-ID."""
    msg = build_message(account, request)
    password = None
    try:
        client, user, password = _client(str(account.get("smtp_url") or ""))
        with client:
            if user:
                client.login(user, password or "")
            client.send_message(msg)
    except ChannelError:
        raise
    except (smtplib.SMTPException, OSError) as exc:
        raise _error(exc, password)
    log.info("smtp sent message_id=%s", msg["Message-ID"])
    return SendResult(provider_id=str(msg["Message-ID"]), status="sent")
