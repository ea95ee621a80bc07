"""Which store the app uses: ``ADUAN_ATTACHMENT_STORE`` = ``local`` (the folder
``ADUAN_ATTACHMENT_DIR``, the default), ``local:/some/folder``, ``postgresql`` (the application's
database) or ``s3://bucket/prefix``. One store object per app and setting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app

from aduan.services.storage.base import AttachmentStore
from aduan.services.storage.database import DatabaseStore
from aduan.services.storage.local import LocalFolderStore
from aduan.services.storage.s3 import S3Store, parse_s3_url

_EXTENSION = "aduan.attachment_stores"


class UnknownStore(ValueError):
    """The setting names no store."""


def attachment_store() -> AttachmentStore:
    """The store the current app's ``ATTACHMENT_STORE`` setting names."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    spec = app.config.get("ATTACHMENT_STORE") or "local"
    stores = app.extensions.setdefault(_EXTENSION, {})
    cache_key = (spec, app.config.get("ATTACHMENT_DIR"))
    if cache_key not in stores:
        stores[cache_key] = store_from_setting(spec, app.config)
    return stores[cache_key]


def store_from_setting(spec: str, config: Mapping[str, Any]) -> AttachmentStore:
    """A store from a setting's value (also the migration command's ``--from``/``--to``)."""
    spec = (spec or "").strip()
    if spec == "local":
        return LocalFolderStore(config["ATTACHMENT_DIR"])
    if spec.startswith("local:") and len(spec) > len("local:"):
        return LocalFolderStore(spec.removeprefix("local:"))
    if spec == "postgresql":
        return DatabaseStore()
    if spec.startswith("s3://"):
        try:
            bucket, prefix = parse_s3_url(spec)
        except ValueError as exc:
            raise UnknownStore(f"{spec!r}: {exc}")
        return S3Store(
            bucket,
            prefix,
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            region_name=config.get("S3_REGION"),
        )
    raise UnknownStore(f"unknown attachment store {spec!r} (local, postgresql or s3://…)")
