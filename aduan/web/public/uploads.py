"""Checking uploaded files: how many, how large, and what they really are (magic bytes)."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from aduan.services.intake.web_form import Upload

MAX_FILES = 3
MAX_FILE_BYTES = 5 * 1024 * 1024
# Declared types are not trusted: the first bytes decide.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


class UploadRefused(ValueError):
    """The message says why, in the page's language."""


def sniff(data: bytes) -> str | None:
    """The real type of an allowed file, or None."""
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def read_uploads(files) -> list[Upload]:
    """Validated uploads (empty file inputs ignored), or UploadRefused."""
    files = [f for f in files if f and f.filename]
    if len(files) > MAX_FILES:
        raise UploadRefused(_("At most %(n)d files.", n=MAX_FILES))
    limit = min(MAX_FILE_BYTES, int(current_app.config["ATTACHMENT_MAX_BYTES"]))
    uploads = []
    for item in files:
        data = item.stream.read(limit + 1)
        if len(data) > limit:
            raise UploadRefused(_("Each file must be at most %(mb)d MB.", mb=limit // 1048576))
        content_type = sniff(data)
        if content_type is None:
            raise UploadRefused(_("Only photos (JPEG, PNG, GIF, WebP) and PDF files."))
        uploads.append(Upload(item.filename[-255:], content_type, data))
    return uploads
