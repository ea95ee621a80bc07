"""Attachments as files under one folder, ``<root>/<sha[:2]>/<sha>`` — the embedded default.
Only right while every process that stores or serves attachments shares that folder."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from aduan.services.storage.base import AttachmentStore, BlobMissing, content_key, is_key


class LocalFolderStore(AttachmentStore):
    """Content-addressed files under ``root``; each written atomically, once."""

    name = "local"

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """Where the file of ``key`` lives (whether or not it exists)."""
        if not is_key(key):
            raise BlobMissing("not a content key")
        return self.root / key[:2] / key

    def put(self, data: bytes) -> str:
        """Write ``data`` under its sha256 unless it is there already; the key."""
        key = content_key(data)
        path = self.path(key)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        return key

    def open(self, key: str) -> BinaryIO:
        """The file of ``key``, opened for reading; BlobMissing when absent."""
        try:
            return self.path(key).open("rb")
        except OSError:
            raise BlobMissing(key)

    def exists(self, key: str) -> bool:
        """Whether the file of ``key`` exists."""
        return is_key(key) and self.path(key).is_file()

    def iter_keys(self) -> Iterator[str]:
        """Every stored key (temporary files and strangers in the folder are skipped)."""
        if not self.root.is_dir():
            return
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir()):
            for path in sorted(folder.iterdir()):
                if is_key(path.name) and path.name[:2] == folder.name and path.is_file():
                    yield path.name
