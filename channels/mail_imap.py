"""IMAP poller: new messages since the last UID, as raw events; never marks anything \\Seen."""

from __future__ import annotations

import base64
import hashlib
import imaplib
import logging
import re
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import unquote, urlsplit

from channels.base import ChannelError, RawEvent
from channels.mail_parse import CHANNEL, is_bounce, load, provider_id_for

log = logging.getLogger(__name__)

FETCH_BATCH = 50  # UIDs per FETCH command
MAX_PER_POLL = 500  # the rest waits for the next poll; the state only advances over what we got
TIMEOUT_SECONDS = 30
_UID_RE = re.compile(rb"UID (\d+)")


def event_from_bytes(raw: bytes, *, mailbox: str, uid: int | None) -> RawEvent:
    """A stored-ready event for one message: kind "status" for a DSN bounce, else "message"."""
    try:
        msg = load(raw)
        provider_id, kind = provider_id_for(msg, raw), "status" if is_bounce(msg) else "message"
    except ChannelError:  # unparseable: still store it, parse() will quarantine it with a reason
        provider_id, kind = "sha256:" + hashlib.sha256(raw).hexdigest(), "message"
    payload = {"raw": base64.b64encode(raw).decode("ascii"), "mailbox": mailbox, "uid": uid}
    return RawEvent(channel=CHANNEL, kind=kind, provider_id=provider_id, payload=payload)


def _scrub(exc: BaseException, secret: str | None) -> str:
    arg = exc.args[0] if len(exc.args) == 1 else exc
    text = arg.decode(errors="replace") if isinstance(arg, bytes) else str(arg)
    return text.replace(secret, "***") if secret else text


@contextmanager
def _connect(imap_url: str) -> Iterator[tuple[imaplib.IMAP4, str]]:
    """Log in and yield (connection, mailbox name); errors become password-free ChannelErrors."""
    url = urlsplit(imap_url)
    password = unquote(url.password) if url.password else None
    if url.scheme not in ("imap", "imaps") or not url.hostname:
        raise ChannelError("imap_url must be imap://user:pass@host:port/MAILBOX", retryable=False)
    mailbox = unquote(url.path.lstrip("/")) or "INBOX"
    where = f"{url.hostname}:{url.port or ''}"
    try:
        if url.scheme == "imaps":
            context = ssl.create_default_context()
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                url.hostname, url.port or 993, ssl_context=context, timeout=TIMEOUT_SECONDS
            )
        else:
            conn = imaplib.IMAP4(url.hostname, url.port or 143, timeout=TIMEOUT_SECONDS)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise ChannelError(f"IMAP connect to {where} failed: {_scrub(exc, password)}")
    try:
        try:
            conn.login(unquote(url.username or ""), password or "")
        except imaplib.IMAP4.error as exc:
            raise ChannelError(
                f"IMAP login to {where} refused: {_scrub(exc, password)}",
                retryable=False,
                code="auth",
            )
        yield conn, mailbox
    except (OSError, imaplib.IMAP4.abort) as exc:
        raise ChannelError(f"IMAP connection to {where} lost: {_scrub(exc, password)}")
    except imaplib.IMAP4.error as exc:  # a BAD answer to a command: the server's problem
        raise ChannelError(f"IMAP server {where} refused a command: {_scrub(exc, password)}")
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            conn.logout()


def check_mailbox(imap_url: str) -> str:
    """Log in and open the mailbox (the admin's "test connection"); what was found."""
    with _connect(imap_url) as (conn, mailbox):
        status, data = conn.select(_quote(mailbox), readonly=True)
        if status != "OK":
            raise ChannelError(f"IMAP mailbox {mailbox!r} cannot be opened", retryable=False)
        return f"IMAP {mailbox}: {int(data[0] or 0)}"


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _select(conn: imaplib.IMAP4, mailbox: str) -> int | None:
    status, data = conn.select(_quote(mailbox), readonly=True)
    if status != "OK":
        detail = data[0].decode(errors="replace") if data and data[0] else ""
        raise ChannelError(f"IMAP cannot open mailbox {mailbox!r}: {detail}", retryable=False)
    _, values = conn.response("UIDVALIDITY")
    try:
        return int(values[0]) if values and values[0] else None
    except (TypeError, ValueError):
        return None


def _new_uids(conn: imaplib.IMAP4, last_uid: int) -> list[int]:
    status, data = conn.uid("SEARCH", None, f"UID {last_uid + 1}:*")
    if status != "OK":
        raise ChannelError("IMAP UID SEARCH failed")
    uids = [int(u) for u in b" ".join(d for d in data if d).split()]
    # "n:*" always matches the highest UID even when it is below n.
    return sorted(u for u in uids if u > last_uid)


def _fetch(conn: imaplib.IMAP4, uids: list[int]) -> Iterator[tuple[int, bytes]]:
    for start in range(0, len(uids), FETCH_BATCH):
        batch = ",".join(str(u) for u in uids[start : start + FETCH_BATCH])
        status, data = conn.uid("FETCH", batch, "(UID BODY.PEEK[])")
        if status != "OK":
            raise ChannelError("IMAP UID FETCH failed")
        fetched = []
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                match = _UID_RE.search(item[0])
                if match:
                    fetched.append((int(match.group(1)), item[1]))
        yield from sorted(fetched)


def poll_mailbox(
    account: Mapping[str, Any], state: Mapping[str, Any] | None
) -> tuple[list[RawEvent], dict[str, Any]]:
    """Fetch messages newer than ``state["last_uid"]`` from ``account["imap_url"]``.

    ``state`` is ``{"uidvalidity": int | None, "last_uid": int}`` (None or {} on the first poll:
    everything in the mailbox is fetched). A changed UIDVALIDITY rescans from UID 0; the core
    dedupes on Message-ID. Returns the events and the state to store after they are stored.
    """
    state = dict(state or {})
    last_uid = int(state.get("last_uid") or 0)
    limit = int(account.get("imap_max_per_poll") or MAX_PER_POLL)
    with _connect(str(account.get("imap_url") or "")) as (conn, mailbox):
        uidvalidity = _select(conn, mailbox)
        if state.get("uidvalidity") is not None and uidvalidity != state.get("uidvalidity"):
            log.warning("imap uidvalidity changed mailbox=%s rescan=1", mailbox)
            last_uid = 0
        uids = _new_uids(conn, last_uid)[:limit]
        events = []
        for uid, raw in _fetch(conn, uids):
            events.append(event_from_bytes(raw, mailbox=mailbox, uid=uid))
            last_uid = max(last_uid, uid)
    log.info("imap poll mailbox=%s fetched=%d last_uid=%d", mailbox, len(events), last_uid)
    return events, {"uidvalidity": uidvalidity, "last_uid": last_uid}
