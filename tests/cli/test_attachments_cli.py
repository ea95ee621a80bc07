"""``flask attachments migrate``: every local file copied into the shared store and verified;
idempotent, resumable, and loud about a damaged or missing file."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from aduan.extensions import db
from aduan.models import Attachment, AttachmentBlob
from aduan.services.intake.attachments import read_attachment
from aduan.services.storage.database import DatabaseStore
from aduan.services.storage.local import LocalFolderStore
from aduan.services.storage.s3 import S3Store
from tests.builders import gen_agency, gen_ticket, gen_unit
from tests.fakes.s3 import CREDENTIALS, fake_s3

FILES = [b"\xff\xd8\xff foto lampu jalan", b"%PDF-1.4 surat aduan", b"\x89PNG\r\n\x1a\n peta"]


@pytest.fixture
def local_files(app_ctx, tmp_path, monkeypatch):
    """Three files in the local folder, each named by an attachment of one of two agencies."""
    folder = tmp_path / "attachments"
    monkeypatch.setitem(app_ctx.config, "ATTACHMENT_DIR", str(folder))
    local = LocalFolderStore(folder)
    keys = [local.put(data) for data in FILES]
    for n, key in enumerate(keys):
        agency = gen_agency()
        ticket = gen_ticket(agency, gen_unit(agency), subject=f"Aduan {n}")
        db.session.add(
            Attachment(ticket_id=ticket.id, sha256=key, filename=f"f{n}", content_type="image/jpeg",
                       size=len(FILES[n]))
        )  # fmt: skip
    db.session.commit()
    return folder, keys


def migrate(app, *args):
    return app.test_cli_runner().invoke(args=["attachments", "migrate", *args])


def blob_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(AttachmentBlob))


def test_migrate_copies_every_local_file_into_the_database_and_verifies_it(
    app_ctx, local_files, monkeypatch
):
    folder, keys = local_files
    result = migrate(app_ctx, "--to", "postgresql")
    assert result.exit_code == 0, result.output
    assert "copied 3, already there 0" in result.output
    assert "set ADUAN_ATTACHMENT_STORE=postgresql" in result.output
    for key, data in zip(keys, FILES, strict=True):
        assert bytes(db.session.get(AttachmentBlob, key).data) == data
    # switched over, the local folder is no longer needed
    monkeypatch.setitem(app_ctx.config, "ATTACHMENT_STORE", "postgresql")
    shutil.rmtree(folder)
    assert [read_attachment(key) for key in keys] == FILES


def test_running_it_again_sends_nothing_twice(app_ctx, local_files):
    assert migrate(app_ctx, "--to", "postgresql").exit_code == 0
    again = migrate(app_ctx, "--to", "postgresql")
    assert again.exit_code == 0, again.output
    assert "copied 0, already there 3" in again.output
    assert blob_count() == 3


def test_an_interrupted_migration_resumes_where_it_stopped(app_ctx, local_files, monkeypatch):
    _, keys = local_files
    real_put = DatabaseStore.put
    calls = []

    def put_then_lose_the_connection(self, data):
        calls.append(data)
        if len(calls) == 2:
            raise ConnectionError("server closed the connection")
        return real_put(self, data)

    monkeypatch.setattr(DatabaseStore, "put", put_then_lose_the_connection)
    first = migrate(app_ctx, "--to", "postgresql")
    assert first.exit_code == 1
    assert "copied 2, already there 0" in first.output
    assert f"{sorted(keys)[1]}\tfailed: ConnectionError" in first.output
    assert blob_count() == 2  # each copy was committed on its own
    monkeypatch.setattr(DatabaseStore, "put", real_put)
    resumed = migrate(app_ctx, "--to", "postgresql")
    assert resumed.exit_code == 0, resumed.output
    assert "copied 1, already there 2" in resumed.output
    assert blob_count() == 3


def test_a_damaged_file_and_a_lost_one_are_reported_and_fail_the_run(app_ctx, local_files):
    folder, keys = local_files
    damaged = keys[0]
    (folder / damaged[:2] / damaged).write_bytes(b"truncated")
    lost = hashlib.sha256(b"a file deleted by hand").hexdigest()
    agency = gen_agency()
    ticket = gen_ticket(agency, gen_unit(agency))
    row = Attachment(ticket_id=ticket.id, sha256=lost, filename="x", content_type="image/png")
    db.session.add(row)
    row.size = 1
    db.session.commit()
    result = migrate(app_ctx, "--to", "postgresql")
    assert result.exit_code == 1
    assert "copied 2, already there 0" in result.output
    assert f"{damaged}\tfailed: the source file does not match its sha256" in result.output
    assert f"{lost}\tnamed by an attachment but in neither store" in result.output
    assert db.session.get(AttachmentBlob, damaged) is None  # never copied as if it were good


def test_migrate_to_an_s3_bucket(app_ctx, local_files, monkeypatch):
    _, keys = local_files
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    with fake_s3() as s3:
        for name, value in s3.settings.items():
            monkeypatch.setitem(app_ctx.config, name, value)
        url = s3.settings["ATTACHMENT_STORE"]
        result = migrate(app_ctx, "--to", url)
        assert result.exit_code == 0, result.output
        assert "copied 3, already there 0" in result.output
        store = S3Store(s3.bucket, "aduan/attachments/", client=s3.client())
        assert [store.read(key) for key in keys] == FILES


def test_an_unknown_target_is_refused(app_ctx, local_files):
    result = migrate(app_ctx, "--to", "ftp://elsewhere")
    assert result.exit_code == 2 and "unknown attachment store" in result.output
