"""The seam every attachment store implements: content-addressed (the key is the sha256 of the
bytes), write-once, never deleted by the application (public records: see docs/design-notes)."""

from __future__ import annotations

import hashlib
import string
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import BinaryIO

_HEX = frozenset(string.hexdigits.lower())


class BlobMissing(LookupError):
    """No file under that key in this store."""


def content_key(data: bytes) -> str:
    """The key of ``data`` in every store: its sha256, in lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def is_key(key: str) -> bool:
    """Whether ``key`` looks like a content key (guards paths and object names)."""
    return isinstance(key, str) and len(key) == 64 and set(key) <= _HEX


class AttachmentStore(ABC):
    """Where attachment bytes live. ``put`` is idempotent: the same bytes, the same key."""

    #: How the store is named in settings and in the migration command's output.
    name: str = ""

    @abstractmethod
    def put(self, data: bytes) -> str:
        """Store ``data`` (once) and return its key."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A readable binary file of the bytes under ``key``, or BlobMissing."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether bytes are stored under ``key``."""

    @abstractmethod
    def iter_keys(self) -> Iterator[str]:
        """Every key in the store, in ascending order (the migration walks them)."""

    def read(self, key: str) -> bytes:
        """The bytes under ``key``, or BlobMissing."""
        with self.open(key) as handle:
            return handle.read()
