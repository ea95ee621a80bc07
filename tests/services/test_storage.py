"""The attachment store seam: every backend keeps the same promises (content keys, idempotent
put, BlobMissing, listing), and the database store writes inside the caller's transaction."""

from __future__ import annotations

import hashlib

import pytest

from aduan.extensions import db
from aduan.models import AttachmentBlob
from aduan.services.storage.base import BlobMissing
from aduan.services.storage.database import DatabaseStore
from aduan.services.storage.local import LocalFolderStore
from aduan.services.storage.s3 import S3Store, parse_s3_url
from aduan.services.storage.selection import UnknownStore, attachment_store, store_from_setting
from config import ConfigError, load_settings
from tests.fakes.s3 import CREDENTIALS, fake_s3

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8
PDF = b"%PDF-1.7\n" + b"laporan" * 100


@pytest.fixture
def s3_settings(monkeypatch):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    with fake_s3() as server:
        yield server


@pytest.fixture(params=["local", "postgresql", "s3"])
def store(request, app_ctx, tmp_path, monkeypatch):
    """Each backend as the app's store, chosen by the setting."""
    settings = {"ATTACHMENT_STORE": request.param, "ATTACHMENT_DIR": str(tmp_path / "files")}
    if request.param == "s3":
        settings.update(request.getfixturevalue("s3_settings").settings)
    for name, value in settings.items():
        monkeypatch.setitem(app_ctx.config, name, value)
    return attachment_store()


def test_every_store_keeps_bytes_under_their_sha256(store):
    key = store.put(PHOTO)
    assert key == hashlib.sha256(PHOTO).hexdigest()
    db.session.commit()
    assert store.exists(key) and store.read(key) == PHOTO
    with store.open(key) as handle:
        assert handle.read() == PHOTO
    assert store.put(PHOTO) == key  # the same bytes: once
    pdf_key = store.put(PDF)
    db.session.commit()
    assert list(store.iter_keys()) == sorted([key, pdf_key])


def test_every_store_answers_missing_and_foreign_keys_with_blob_missing(store):
    absent = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(absent)
    with pytest.raises(BlobMissing):
        store.open(absent)
    for foreign in ("../../etc/passwd", "ab", absent.upper(), absent[:-1] + "g"):
        assert not store.exists(foreign)
        with pytest.raises(BlobMissing):
            store.read(foreign)


def test_the_store_is_chosen_by_the_setting(app_ctx, tmp_path, monkeypatch, s3_settings):
    monkeypatch.setitem(app_ctx.config, "ATTACHMENT_DIR", str(tmp_path))
    assert isinstance(attachment_store(), LocalFolderStore)  # the embedded default
    assert attachment_store().root == tmp_path
    monkeypatch.setitem(app_ctx.config, "ATTACHMENT_STORE", "postgresql")
    assert isinstance(attachment_store(), DatabaseStore)
    for name, value in s3_settings.settings.items():
        monkeypatch.setitem(app_ctx.config, name, value)
    s3 = attachment_store()
    assert isinstance(s3, S3Store) and (s3.bucket, s3.prefix) == (
        s3_settings.bucket,
        "aduan/attachments/",
    )
    assert attachment_store() is s3  # one client per app and setting
    other = store_from_setting(f"local:{tmp_path / 'other'}", app_ctx.config)
    assert other.root == tmp_path / "other"
    with pytest.raises(UnknownStore):
        store_from_setting("nfs", app_ctx.config)


def test_an_unknown_store_setting_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("ADUAN_INSTANCE_DIR", str(tmp_path))
    for bad in ("nfs", "s3://", "local:"):
        monkeypatch.setenv("ADUAN_ATTACHMENT_STORE", bad)
        with pytest.raises(ConfigError, match="ADUAN_ATTACHMENT_STORE"):
            load_settings()
    for good in ("local", "postgresql", "s3://bucket/prefix", f"local:{tmp_path}"):
        monkeypatch.setenv("ADUAN_ATTACHMENT_STORE", good)
        assert load_settings()["ATTACHMENT_STORE"] == good


def test_s3_urls_name_a_bucket_and_a_prefix():
    assert parse_s3_url("s3://aduan") == ("aduan", "")
    assert parse_s3_url("s3://aduan/prod/attachments/") == ("aduan", "prod/attachments/")
    with pytest.raises(ValueError):
        parse_s3_url("https://aduan/x")


def test_s3_objects_are_named_by_sha_under_the_prefix(s3_settings):
    store = S3Store(
        s3_settings.bucket, "p/", endpoint_url=s3_settings.url, region_name="ap-southeast-1"
    )
    key = store.put(PHOTO)
    client = s3_settings.client()
    body = client.get_object(Bucket=s3_settings.bucket, Key=f"p/{key[:2]}/{key}")["Body"]
    assert body.read() == PHOTO
    client.put_object(Bucket=s3_settings.bucket, Key="p/notes.txt", Body=b"x")  # a stranger
    client.put_object(Bucket=s3_settings.bucket, Key=f"other/{key[:2]}/{key}", Body=b"x")
    assert list(store.iter_keys()) == [key]


def test_a_database_blob_commits_and_rolls_back_with_its_transaction(db):
    store = DatabaseStore()
    key = store.put(PHOTO)
    assert store.exists(key)  # visible inside the transaction that wrote it
    db.session.rollback()
    assert not store.exists(key)
    store.put(PHOTO)
    db.session.commit()
    row = db.session.get(AttachmentBlob, key)
    assert (row.size, bytes(row.data)) == (len(PHOTO), PHOTO)


def test_the_database_store_lists_keys_page_by_page(db, monkeypatch):
    monkeypatch.setattr("aduan.services.storage.database.KEYS_PER_FETCH", 2)
    store = DatabaseStore()
    keys = sorted(store.put(bytes([n]) * 10) for n in range(5))
    db.session.commit()
    assert list(store.iter_keys()) == keys
