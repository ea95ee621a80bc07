"""Serving a stored attachment to an officer or an integration: always as a download, named
with the extension of the type it is served as, never rendered by the browser."""

from __future__ import annotations

from flask import send_file

from aduan.errors import NotFound
from aduan.models import Attachment
from aduan.services.intake.attachments import download_name
from aduan.services.storage.base import BlobMissing
from aduan.services.storage.selection import attachment_store

UNSAFE_INLINE = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml")


def send_attachment(row: Attachment):
    """The file of ``row`` (the caller has checked the ticket is in scope and logged it)."""
    try:
        content = attachment_store().open(row.sha256)
    except BlobMissing:
        raise NotFound("the attachment file is missing")
    mimetype = row.content_type or "application/octet-stream"
    if mimetype.split(";")[0].strip().lower() in UNSAFE_INLINE:
        mimetype = "text/plain"
    name = download_name(row.filename, mimetype)  # never the sender's extension (issue #12)
    response = send_file(content, mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
