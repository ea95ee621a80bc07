"""Copying every attachment from one store to another (``flask attachments migrate``):
idempotent and resumable — each copy is committed on its own, a file already in the target is
not sent again — and every file in the target is read back and its sha256 checked."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from aduan.extensions import db
from aduan.models import Attachment
from aduan.services.storage.base import AttachmentStore, BlobMissing, content_key

log = logging.getLogger(__name__)

COPIED, PRESENT = "copied", "present"


@dataclass
class MigrationReport:
    """What one run did; ``ok`` when the target can serve every attachment row."""

    copied: int = 0
    present: int = 0  # already in the target (verified, not sent again)
    failed: dict[str, str] = field(default_factory=dict)  # key -> why
    missing: list[str] = field(default_factory=list)  # attachment rows not in the target

    @property
    def ok(self) -> bool:
        return not self.failed and not self.missing


def migrate(
    source: AttachmentStore,
    target: AttachmentStore,
    progress: Callable[[str, str], None] | None = None,
) -> MigrationReport:
    """Copy and verify every file of ``source`` into ``target``; then list the attachment rows
    whose bytes the target still lacks. ``progress(key, outcome)`` is told of each file."""
    report = MigrationReport()
    for key in source.iter_keys():
        try:
            outcome = _copy_one(source, target, key)
        except Exception as exc:  # one bad file must not stop the rest; re-run to retry it
            db.session.rollback()
            outcome = f"failed: {exc}" if isinstance(exc, _Mismatch) else _failure(exc)
        if outcome == COPIED:
            report.copied += 1
        elif outcome == PRESENT:
            report.present += 1
        else:
            report.failed[key] = outcome
            log.warning("attachment not migrated key=%s reason=%s", key, outcome)
        if progress is not None:
            progress(key, outcome)
    report.missing = [
        key for key in referenced_keys() if key not in report.failed and not target.exists(key)
    ]
    return report


def referenced_keys() -> list[str]:
    """Every sha256 an ``attachments`` row names."""
    query = db.select(Attachment.sha256).distinct().order_by(Attachment.sha256)
    return list(db.session.scalars(query))


class _Mismatch(Exception):
    pass


def _copy_one(source: AttachmentStore, target: AttachmentStore, key: str) -> str:
    data = source.read(key)
    if content_key(data) != key:
        raise _Mismatch("the source file does not match its sha256")
    present = target.exists(key)
    if not present:
        target.put(data)
        db.session.commit()  # resumable: what is copied stays copied
    try:
        copied = target.read(key)
    except BlobMissing:
        raise _Mismatch("not readable from the target after the copy")
    if content_key(copied) != key:
        raise _Mismatch("the target's copy does not match its sha256")
    return PRESENT if present else COPIED


def _failure(exc: Exception) -> str:
    return f"failed: {type(exc).__name__}"
