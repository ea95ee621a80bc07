"""Where finished export files live until they expire: one folder, ``ADUAN_EXPORT_DIR``
(default ``<instance>/exports``), shared by the web and the workers (as the ``local``
attachment store is). Files are named by the export's id and a random token, never by
anything a user typed."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app


def folder() -> Path:
    """The exports folder (made when missing)."""
    configured = current_app.config.get("EXPORT_DIR")
    path = Path(configured or Path(current_app.config["INSTANCE_DIR"]) / "exports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_name(export_id: int, fmt: str) -> str:
    """A fresh file name for export ``export_id``."""
    return f"{export_id}-{secrets.token_hex(8)}.{fmt}"


def path_of(stored_as: str) -> Path:
    """The path of a stored file name (a bare name: no folder can be named through it)."""
    name = os.path.basename(stored_as)
    if not name or name != stored_as:
        raise FileNotFoundError(stored_as)
    return folder() / name


def remove(stored_as: str | None) -> None:
    """Delete a stored file; a file already gone is fine."""
    if stored_as:
        path_of(stored_as).unlink(missing_ok=True)
