"""Export jobs: write one requested file, and the periodic expiry of old ones."""

from __future__ import annotations

from aduan.services.exports import running


def run_export(export_id: int) -> str:
    """Stream export ``export_id``'s rows to its file; its final state."""
    return running.run(export_id)


def expire_exports() -> int:
    """Delete export files past their time; give up on exports whose worker died."""
    return running.expire()
