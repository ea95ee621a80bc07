"""Attachments as objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, …):
``ADUAN_ATTACHMENT_STORE=s3://bucket/prefix``, ``ADUAN_S3_ENDPOINT_URL`` for a non-AWS service.
Credentials come from boto3's usual chain (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, an
instance role), never from Aduan's own settings. boto3 is imported only when this store is
chosen, so a deployment without it loses this backend, not the app."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from aduan.services.storage.base import AttachmentStore, BlobMissing, content_key, is_key

_MISSING_CODES = {"404", "NoSuchKey", "NotFound"}


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` → (``bucket``, ``some/prefix/``); ValueError without bucket."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError("expected s3://bucket[/prefix]")
    prefix = parts.path.strip("/")
    return parts.netloc, (prefix + "/" if prefix else "")


class S3Store(AttachmentStore):
    """Objects ``<prefix><sha[:2]>/<sha>``, private (no ACL given: the bucket's default).
    No SHA-256 checksum header is sent: not every S3-compatible service takes one; the
    migration command reads each copy back and checks its sha256 instead."""

    name = "s3"

    def __init__(self, bucket: str, prefix: str = "", client: Any = None, **options: Any):
        if client is None:
            import boto3  # optional dependency: only deployments using S3 need it

            client = boto3.client("s3", **{k: v for k, v in options.items() if v})
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def object_name(self, key: str) -> str:
        """The object name of ``key`` in the bucket."""
        if not is_key(key):
            raise BlobMissing("not a content key")
        return f"{self.prefix}{key[:2]}/{key}"

    def put(self, data: bytes) -> str:
        """Upload ``data`` unless its object exists; the key."""
        key = content_key(data)
        if not self.exists(key):
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.object_name(key),
                Body=data,
                ContentType="application/octet-stream",
            )
        return key

    def open(self, key: str) -> BinaryIO:
        """The object's bytes as an in-memory file (attachments are capped in size)."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.object_name(key))
        except Exception as exc:
            if _is_missing(exc):
                raise BlobMissing(key)
            raise
        with response["Body"] as body:
            return io.BytesIO(body.read())

    def exists(self, key: str) -> bool:
        """Whether the object of ``key`` exists (a HEAD request)."""
        if not is_key(key):
            return False
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.object_name(key))
        except Exception as exc:
            if _is_missing(exc):
                return False
            raise
        return True

    def iter_keys(self) -> Iterator[str]:
        """Every key under the prefix (S3 lists in ascending order)."""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", ()):
                folder, _, name = item["Key"][len(self.prefix) :].partition("/")
                if is_key(name) and folder == name[:2]:
                    yield name


def _is_missing(exc: Exception) -> bool:
    error = getattr(exc, "response", {}).get("Error", {})
    return str(error.get("Code")) in _MISSING_CODES
