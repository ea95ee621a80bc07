"""A local S3-compatible server (moto's server mode) that the real boto3 client talks to over
HTTP, and the settings that point Aduan's S3 store at a fresh bucket on it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
from moto.server import ThreadedMotoServer

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret"}
REGION = "ap-southeast-1"


@dataclass
class FakeS3:
    url: str
    bucket: str

    @property
    def settings(self) -> dict[str, str]:
        """App settings for a store in this bucket (credentials come from the environment)."""
        return {
            "ATTACHMENT_STORE": f"s3://{self.bucket}/aduan/attachments",
            "S3_ENDPOINT_URL": self.url,
            "S3_REGION": REGION,
        }

    def client(self):
        """A boto3 client of the fake, to look at what the app stored."""
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )


@contextmanager
def fake_s3() -> Iterator[FakeS3]:
    """A started server with one new, empty bucket."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    fake = FakeS3(f"http://{host}:{port}", f"aduan-{uuid.uuid4().hex[:12]}")
    fake.client().create_bucket(
        Bucket=fake.bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    try:
        yield fake
    finally:
        server.stop()
