"""Attachments of inbound messages: fetched with a size cap and a type allowlist, stored
content-addressed in the attachment store (``services.storage``: a folder, the database or a
bucket, by setting). A refusal is recorded on the ticket's timeline (``attachment_refused``)
and never costs the message itself.

A download is named with the extension of the type it is served as (``download_name``), never
the sender's: ``evil.html`` that is really a PNG downloads as ``evil.png``, image/png."""

from __future__ import annotations

import logging
import mimetypes
import os
from pathlib import Path

from flask import current_app

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Attachment, Message, Ticket
from aduan.services import group_writes
from aduan.services.intake import media_fetch
from aduan.services.storage.base import BlobMissing
from aduan.services.storage.selection import attachment_store
from aduan.services.tickets.workflow import record_event
from channels.base import ChannelAdapter, ChannelError, InboundAttachment
from channels.web import STORED_PREFIX

log = logging.getLogger(__name__)

ALLOWED_PREFIXES = ("image/", "audio/")
ALLOWED_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/rtf",
        "text/plain",
        "text/csv",
    }
)
ALLOWED_FAMILIES = ("application/vnd.openxmlformats-officedocument.", "application/vnd.oasis.")
# Types that Python's built-in table has no extension for; anything unknown gets ".bin".
EXTENSIONS = {
    "image/webp": ".webp",
    "audio/ogg": ".ogg",
    "audio/amr": ".amr",
    "audio/aac": ".aac",
    "application/rtf": ".rtf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
}
_BUILT_IN_TYPES = mimetypes.MimeTypes()  # the standard table only, not the host's mime.types


class AttachmentRefused(Exception):
    """The attachment is not stored; the message is."""


def is_allowed_type(content_type: str) -> bool:
    """Images, audio, PDF and common office documents."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    return (
        ctype in ALLOWED_TYPES
        or ctype.startswith(ALLOWED_PREFIXES)
        or ctype.startswith(ALLOWED_FAMILIES)
    )


def store_attachments(
    ticket: Ticket,
    message: Message,
    attachments: tuple[InboundAttachment, ...],
    adapter: ChannelAdapter | None = None,
) -> list[Attachment]:
    """Store every acceptable attachment of ``message``; record the refused ones."""
    stored = []
    for item in attachments:
        try:
            stored.append(_store_one(ticket, message, item, adapter))
        except AttachmentRefused as exc:
            record_event(
                ticket,
                "attachment_refused",
                data={
                    "message_id": group_writes.id_of(message),
                    "filename": item.filename,
                    "content_type": item.content_type,
                    "reason": str(exc),
                },
            )
    return stored


def store_officer_file(
    ticket: Ticket, message: Message, filename: str, content_type: str, data: bytes
) -> Attachment:
    """A file an officer or integration adds to ``message`` of ``ticket``: the same type
    allowlist and size cap as a complainant's; a refusal is ``ValidationFailed``."""
    try:
        return _store_one(ticket, message, InboundAttachment(filename, content_type, data=data),
                          None)  # fmt: skip
    except AttachmentRefused as exc:
        raise ValidationFailed(str(exc), errors={"file": [str(exc)]})


def _store_one(
    ticket: Ticket, message: Message, item: InboundAttachment, adapter: ChannelAdapter | None
) -> Attachment:
    if not is_allowed_type(item.content_type):
        raise AttachmentRefused(f"type not allowed: {item.content_type}")
    limit = int(current_app.config["ATTACHMENT_MAX_BYTES"])
    data, fetched_type = _content(item, adapter, limit)
    if len(data) > limit:
        raise AttachmentRefused(f"larger than {limit} bytes")
    if fetched_type and not is_allowed_type(fetched_type):
        raise AttachmentRefused(f"type not allowed: {fetched_type}")
    sha = save_bytes(data)
    message_id = group_writes.id_of(message)  # its ticket is inserted by then too
    attachment = Attachment(
        ticket_id=ticket.id,
        message_id=message_id,
        sha256=sha,
        filename=_safe_name(item.filename),
        content_type=(fetched_type or item.content_type).split(";")[0].strip()[:100],
        size=len(data),
    )
    db.session.add(attachment)
    return attachment


def _content(
    item: InboundAttachment, adapter: ChannelAdapter | None, limit: int
) -> tuple[bytes, str | None]:
    if item.data is not None:
        return item.data, None
    url = item.url or ""
    if url.startswith(STORED_PREFIX):  # a web upload, put in the store by the view
        return _stored(url.removeprefix(STORED_PREFIX)), None
    if url.startswith(("http://", "https://")):
        return _fetch(url, item.auth, limit, adapter)
    fetch_file = getattr(adapter, "fetch_file", None)
    if fetch_file is None:
        raise AttachmentRefused("no way to fetch this attachment")
    try:
        return fetch_file(url), None
    except ChannelError as exc:
        raise AttachmentRefused(f"fetch failed: {exc}")
    except Exception as exc:  # an adapter bug must not cost the complainant the message
        log.warning("attachment fetch error type=%s", type(exc).__name__)
        raise AttachmentRefused(f"fetch failed: {type(exc).__name__}")


def _fetch(
    url: str, auth: tuple[str, str] | None, limit: int, adapter: ChannelAdapter | None
) -> tuple[bytes, str | None]:
    """GET through ``media_fetch``: provider hosts and public addresses only, capped."""
    try:
        return media_fetch.fetch(url, _fetch_policy(adapter, limit), auth)
    except media_fetch.MediaRefused as exc:
        log.info("attachment fetch refused reason=%s", exc)
        raise AttachmentRefused(str(exc))


def _fetch_policy(adapter: ChannelAdapter | None, limit: int) -> media_fetch.FetchPolicy:
    config = current_app.config
    hosts = tuple(getattr(adapter, "media_hosts", ())) + tuple(config["MEDIA_FETCH_ALLOW_HOSTS"])
    trusted = frozenset(host.lower() for host in config["MEDIA_FETCH_TRUSTED_HOSTS"])
    return media_fetch.FetchPolicy(hosts=hosts, trusted=trusted, max_bytes=limit)


def save_bytes(data: bytes) -> str:
    """Put ``data`` in the attachment store (once) and return its sha256."""
    return attachment_store().put(data)


def read_attachment(sha: str) -> bytes:
    """The bytes stored under ``sha``; BlobMissing when the store has none."""
    return attachment_store().read(sha)


def _stored(sha: str) -> bytes:
    try:
        return read_attachment(sha)
    except BlobMissing:
        raise AttachmentRefused("fetch failed: stored upload missing")


def download_name(filename: str, content_type: str) -> str:
    """``filename``'s stem with the extension of ``content_type``, the type it is served as."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    extension = EXTENSIONS.get(ctype) or _BUILT_IN_TYPES.guess_extension(ctype) or ".bin"
    stem = Path(_safe_name(filename)).stem.strip(". ") or "attachment"
    return stem[: 255 - len(extension)] + extension


def _safe_name(filename: str) -> str:
    name = os.path.basename((filename or "").replace("\\", "/")).strip() or "attachment"
    return name[-255:]
