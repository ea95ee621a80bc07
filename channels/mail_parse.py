"""RFC 822 bytes → ``InboundMessage`` / ``DeliveryStatus``, tolerant of what real mail looks like.

Everything here works on bytes already stored by the core; nothing talks to a server. Header
access goes through the raw values (``Message.raw_items``) because the ``policy.default`` header
objects raise or mangle on 8-bit bytes, unknown charsets and broken address lists. HTML to
text and quote/signature stripping live in ``mail_text``.
"""

from __future__ import annotations

import datetime as dt
import email
import email.utils
import hashlib
import mimetypes
import re
from email import policy
from email.header import decode_header
from email.message import EmailMessage, Message
from typing import Any

from channels.base import (
    InboundAttachment,
    InboundMessage,
    ParseError,
    ThreadHints,
)
from channels.mail_guard import automatic, quoted_ids
from channels.mail_text import clean_reply, html_to_text

CHANNEL = "email"
MAX_PART_BYTES = 25 * 1024 * 1024  # bigger parts are recorded without their data
MAX_DEPTH = 20  # nested multiparts deeper than this are not walked (the text is still found)
_MSGID_RE = re.compile(r"<[^<>\s]+>")
_BODY_TYPES = ("text/plain", "text/html")
_LATIN1_ALIASES = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii"}


# -- bytes and headers --------------------------------------------------------------------------


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset, falling back to UTF-8 then windows-1252; never raise."""
    cs = (charset or "").strip().strip('"').lower()
    if cs in _LATIN1_ALIASES:
        cs = "cp1252"  # what senders labelled latin-1 actually write (smart quotes, euro)
    if cs:
        try:
            return data.decode(cs, errors="replace")
        except (LookupError, ValueError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _unescape_8bit(value: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes: guess UTF-8, then windows-1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_bytes(value.encode("utf-8", errors="surrogateescape"), None)


def raw_header(msg: Message, name: str) -> str | None:
    """First raw value of header ``name`` (unfolded, 8-bit bytes decoded), or None."""
    lname = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == lname:
            text = _unescape_8bit(str(value))
            return re.sub(r"\r?\n[ \t]+", " ", text).strip()
    return None


# C0 and C1 controls (CR, LF, TAB, NUL…) and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def single_line(value: str) -> str:
    """Header-derived text as one clean line: an encoded CR/LF or control character in a
    subject or a name must never reach a header we write (a reply's ``Subject:``)."""
    return re.sub(r" {2,}", " ", _CONTROL.sub(" ", value)).strip()


_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def _decode_parts(value: str) -> str:
    parts = decode_header(value)
    return "".join(decode_bytes(c, cs) if isinstance(c, bytes) else c for c, cs in parts)


def _decode_word(match: re.Match) -> str:
    try:
        return _decode_parts(match.group(0))
    except Exception:  # a broken encoded-word stays as it was; the rest still decodes
        return match.group(0)


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded-words, tolerating unknown charsets and bad encodings."""
    try:
        return _decode_parts(value)
    except Exception:  # binascii and friends: fall back to one encoded-word at a time
        return _ENCODED_WORD.sub(_decode_word, value)


def header_text(msg: Message, name: str) -> str | None:
    value = raw_header(msg, name)
    return None if value is None else single_line(decode_words(value))


_ADDR_SPEC = re.compile(r"^[^\s<>@\"(),;:]+@[^\s<>@\"(),;:]+$")
_ADDR_SEARCH = re.compile(r"[^\s<>@\"(),;:]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def _address(msg: Message, name: str) -> tuple[str | None, str] | None:
    value = raw_header(msg, name)
    if not value:
        return None
    for display, addr in email.utils.getaddresses([value]):
        addr = addr.strip().lower()
        if _ADDR_SPEC.match(addr):
            return (single_line(decode_words(display)) or None), addr
    found = _ADDR_SEARCH.search(value)  # broken quoting: take the first thing shaped like one
    return (None, found.group(0).lower()) if found else None


def message_ids(value: str | None) -> tuple[str, ...]:
    return tuple(_MSGID_RE.findall(value or ""))


def load(raw: bytes) -> EmailMessage:
    """Parse bytes with ``policy.default``; bare-LF and CRLF input both work."""
    if not raw or not raw.strip():
        raise ParseError("empty message")
    try:
        return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]
    except Exception as exc:  # the stdlib parser is defensive, but do not let it escape
        raise ParseError(f"unparseable message: {type(exc).__name__}")


def provider_id_for(msg: Message, raw: bytes) -> str:
    """The Message-ID, or a sha256 of the raw bytes when there is none."""
    ids = message_ids(raw_header(msg, "Message-ID"))
    return ids[0] if ids else "sha256:" + hashlib.sha256(raw).hexdigest()


# -- loop guards ----------------------------------------------------------------------


def is_auto_submitted(msg: Message) -> bool:
    """RFC 3834 and friends: never auto-reply to this message."""
    auto = (raw_header(msg, "Auto-Submitted") or "").strip().lower()
    if auto and not auto.startswith("no"):
        return True
    precedence = (raw_header(msg, "Precedence") or "").strip().lower()
    if precedence in {"bulk", "list", "junk", "auto_reply"}:
        return True
    if raw_header(msg, "List-Id") is not None:
        return True
    if raw_header(msg, "X-Autoreply") is not None or raw_header(msg, "X-Autorespond") is not None:
        return True
    return_path = raw_header(msg, "Return-Path")
    return return_path is not None and return_path.replace(" ", "") in {"<>", ""}


def is_bounce(msg: Message) -> bool:
    """An RFC 3464 delivery status notification."""
    return (
        msg.get_content_type() == "multipart/report"
        and str(msg.get_param("report-type", "")).lower() == "delivery-status"
    )


# -- body and attachments -----------------------------------------------------------------------


def _leaves(part: Message, depth: int = 0, cut: list | None = None):
    """Leaf parts in order; a forwarded message/rfc822 is a leaf, not walked into. Below
    ``MAX_DEPTH`` nothing is walked; ``cut`` gets an entry when that happened."""
    if depth > MAX_DEPTH:
        if cut is not None:
            cut.append(depth)
        return
    if part.is_multipart() and part.get_content_type() != "message/rfc822":
        payload = part.get_payload()
        for child in payload if isinstance(payload, list) else []:
            yield from _leaves(child, depth + 1, cut)
    else:
        yield part


def _ctype(part: Message) -> str:
    """Content type, with garbage ("text/") and boundary-less multiparts read as plain text."""
    ctype = part.get_content_type()
    maintype, _, subtype = ctype.partition("/")
    if not subtype or (maintype == "multipart" and not part.is_multipart()):
        return "text/plain"
    return ctype


def _is_body_candidate(part: Message) -> bool:
    return (
        _ctype(part) in _BODY_TYPES
        and part.get_content_disposition() != "attachment"
        and not part.get_filename()
    )


def _part_bytes(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        return inner.as_bytes(policy=policy.SMTP) if inner is not None else b""
    try:
        return part.get_payload(decode=True) or b""
    except Exception:
        return b""


def _part_text(part: Message) -> str:
    data = _part_bytes(part)
    text = decode_bytes(data, part.get_content_charset())
    if _ctype(part) == "text/html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _estimated_size(part: Message) -> int:
    payload = part.get_payload()
    if not isinstance(payload, str):
        return 0
    cte = str(part.get("Content-Transfer-Encoding", "")).lower()
    return len(payload) * 3 // 4 if "base64" in cte else len(payload)


def _filename(part: Message, index: int) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name:
        name = single_line(decode_words(_unescape_8bit(name)))
        return name.replace("/", "_").replace("\\", "_")
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        return f"forwarded-{index}.eml"
    return f"part-{index}{mimetypes.guess_extension(ctype) or '.bin'}"


def _body_and_attachments(msg: Message, cut: list | None = None):
    leaves = list(_leaves(msg, 0, cut))
    candidates = [p for p in leaves if _is_body_candidate(p)]
    body = next((p for p in candidates if _ctype(p) == "text/plain"), None)
    body = body or (candidates[0] if candidates else None)
    text = _part_text(body) if body is not None else ""
    if not text and cut:
        text = _fallback_text(msg)
    attachments, oversized = [], []
    for index, part in enumerate(leaves, start=1):
        if part is body or part in candidates:
            continue
        filename, ctype = _filename(part, index), _ctype(part)
        size = _estimated_size(part)
        if size > MAX_PART_BYTES:
            oversized.append({"filename": filename, "content_type": ctype, "size": size})
            attachments.append(InboundAttachment(filename=filename, content_type=ctype, data=None))
            continue
        attachments.append(
            InboundAttachment(filename=filename, content_type=ctype, data=_part_bytes(part))
        )
        if not text and ctype == "message/rfc822":
            text = _forwarded_text(part)
    return text, tuple(attachments), oversized


def _fallback_text(msg: Message) -> str:
    """The text of a tree too deep (or too odd) for our walk: the standard library's
    ``get_body``, else every text part there is, in order."""
    try:
        body = msg.get_body(preferencelist=("plain", "html"))
        text = _part_text(body) if body is not None else ""
        if text:
            return text
        texts = [_part_text(p) for p in msg.walk() if p.get_content_maintype() == "text"]
        return "\n\n".join(t for t in texts if t)
    except (RecursionError, LookupError, ValueError, TypeError, AttributeError):
        return ""


def _forwarded_text(part: Message) -> str:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if inner is None:
        return ""
    text, _, _ = _body_and_attachments(inner)
    return text


# -- the message --------------------------------------------------------------------------------


def parse_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _language(msg: Message) -> str | None:
    # Only Malay is trusted: Outlook stamps "en-US" on mail written in Malay on English installs.
    value = (raw_header(msg, "Content-Language") or "").lower()
    tags = [t.strip() for t in value.split(",")]
    return "ms" if any(t.split("-")[0] in {"ms", "msa", "may"} for t in tags if t) else None


def _sender(msg: Message) -> tuple[str | None, str]:
    for name in ("From", "Sender", "Reply-To"):
        found = _address(msg, name)
        if found:
            return found
    raise ParseError("no sender address in From, Sender or Reply-To")


def parse_message(raw: bytes, *, extra: dict[str, Any] | None = None) -> InboundMessage:
    """Turn RFC 822 bytes into one InboundMessage, or raise ParseError; nothing else escapes."""
    try:
        return _parse_message(raw, extra or {})
    except ParseError:
        raise
    except RecursionError:
        raise ParseError("message nested too deeply")
    except Exception as exc:  # a stdlib corner we have not met yet: quarantine, do not crash
        raise ParseError(f"cannot parse message: {type(exc).__name__}")


def _parse_message(raw: bytes, extra: dict[str, Any]) -> InboundMessage:
    msg = load(raw)
    sender_name, sender_handle = _sender(msg)
    subject = header_text(msg, "Subject")
    cut: list[int] = []
    full_text, attachments, oversized = _body_and_attachments(msg, cut)
    ids = message_ids(raw_header(msg, "Message-ID"))
    hints = ThreadHints(
        message_id=ids[0] if ids else None,
        in_reply_to=next(iter(message_ids(raw_header(msg, "In-Reply-To"))), None),
        references=message_ids(raw_header(msg, "References")),
        subject=subject,
    )
    extra = {**extra, "full_text": full_text}
    if oversized:
        extra["oversized_attachments"] = oversized
    if cut:  # parts below MAX_DEPTH were not read as attachments; the core notes it
        extra["truncated"] = {"max_depth": MAX_DEPTH}
    guard = automatic(msg, sender_handle, sender_name, subject)
    if guard is not None:
        extra["automatic"] = {"kind": guard.kind, "reason": guard.reason}
        extra["quoted_ids"] = list(quoted_ids(msg, full_text))
    received = parse_date(raw_header(msg, "Date")) or dt.datetime.now(dt.UTC)
    return InboundMessage(
        channel=CHANNEL,
        provider_id=provider_id_for(msg, raw),
        sender_handle=sender_handle,
        sender_name=sender_name,
        text=clean_reply(full_text),
        received_at=received,
        attachments=attachments,
        hints=hints,
        auto_submitted=guard is not None or is_auto_submitted(msg),
        language=_language(msg),
        extra=extra,
    )
