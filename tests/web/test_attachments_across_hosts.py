"""Web and worker on different instance folders (as on two hosts) share attachments: what one
host stores, the other reads and serves, byte for byte — through the shared store (the
database or an S3 bucket). With the local default, a second host cannot read the file."""

from __future__ import annotations

import os
from contextlib import ExitStack

import pytest

from aduan.extensions import db
from aduan.models import Attachment, InboundEvent, TicketEvent, Unit
from aduan.services.intake import web_form
from aduan.services.intake.attachments import read_attachment
from aduan.services.intake.pipeline import process_event
from tests.builders import gen_agency, gen_officer, gen_unit
from tests.conftest import make_app
from tests.fakes.s3 import CREDENTIALS, fake_s3
from tests.fakes.telegram import fake_telegram as make_fake_telegram
from tests.services import intake_builders
from tests.services.intake_builders import telegram_event
from tests.web.inbox.helpers import signed_in
from tests.web.public.helpers import PNG, complaint, csrf, setup_agency, with_file

accounts = intake_builders.accounts
UPLOAD = PNG + os.urandom(2048)
PHOTO = b"\xff\xd8\xff\xe0" + os.urandom(4096)


@pytest.fixture
def fake_telegram():
    with make_fake_telegram() as server:
        yield server


@pytest.fixture
def two_hosts(db, database_url, tmp_path, monkeypatch):
    """``make(store)`` → (web, worker): two apps on one database, each with its own instance
    folder, both using ``store``; an S3 bucket lives on a local fake S3 server."""
    apps = []
    with ExitStack() as servers:

        def make(store: str):
            settings = {"ATTACHMENT_STORE": store}
            if store == "s3":
                for name, value in CREDENTIALS.items():
                    monkeypatch.setenv(name, value)
                settings.update(servers.enter_context(fake_s3()).settings)
            for host in ("web", "worker"):
                apps.append(make_app(database_url, tmp_path / host, **settings))
            return tuple(apps)

        yield make
        for app in apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def _officers(agency):
    """An officer of ``agency``'s triage unit, and a complaint manager of another agency."""
    officer = gen_officer(agency, [db.session.get(Unit, agency.triage_unit_id)])
    other = gen_agency()
    stranger = gen_officer(other, [], roles=("complaint_manager",))
    db.session.commit()
    return officer, stranger


def _download(web, officer, attachment_id: int):
    client = signed_in(web.test_client(), officer)
    return client.get(f"/inbox/attachments/{attachment_id}")


def _file_on_the_web_host(web, category, monkeypatch) -> None:
    """The public form with an attachment; the web host's inline processing does not run (as
    when it fails), so the event waits for a worker."""
    monkeypatch.setattr(web_form, "_process", lambda event_id: None)
    client = web.test_client()
    data = with_file(complaint(csrf(client), category), content=UPLOAD)
    response = client.post("/aduan/baru", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize("store", ["postgresql", "s3"])
def test_a_form_upload_is_read_by_the_worker_and_served_by_the_web_host(
    store, two_hosts, tmp_path, monkeypatch
):
    web, worker = two_hosts(store)
    agency, category = setup_agency()
    officer, stranger = _officers(agency)
    _file_on_the_web_host(web, category, monkeypatch)
    with worker.app_context():
        event = db.session.scalar(db.select(InboundEvent))
        assert process_event(event.id) == "processed"
        (attachment,) = db.session.scalars(db.select(Attachment)).all()
        assert read_attachment(attachment.sha256) == UPLOAD
        attachment_id = attachment.id
    response = _download(web, officer, attachment_id)
    assert response.status_code == 200 and response.data == UPLOAD
    assert _download(web, stranger, attachment_id).status_code == 404
    assert not any((tmp_path / host / "attachments").exists() for host in ("web", "worker"))


@pytest.mark.parametrize("store", ["postgresql", "s3"])
def test_a_telegram_photo_fetched_by_the_worker_is_served_by_the_web_host(
    store, two_hosts, accounts, fake_telegram, tmp_path
):
    web, worker = two_hosts(store)
    agency = gen_agency("JKR")
    agency.triage_unit_id = gen_unit(agency).id
    officer, stranger = _officers(agency)
    accounts["telegram"] = {"api_base_url": fake_telegram.url}
    fake_telegram.files["AgACAgUAAxkBAAMLarge"] = PHOTO
    with web.app_context():
        event_id = telegram_event("photo_caption").id  # stored as the webhook stores it
    with worker.app_context():
        assert process_event(event_id) == "processed"
        (attachment,) = db.session.scalars(db.select(Attachment)).all()
        attachment_id = attachment.id
    response = _download(web, officer, attachment_id)
    assert response.status_code == 200 and response.data == PHOTO
    assert response.headers["Content-Type"].startswith("image/jpeg")
    assert _download(web, stranger, attachment_id).status_code == 404
    assert not any((tmp_path / host / "attachments").exists() for host in ("web", "worker"))


def test_with_the_local_default_a_second_host_cannot_read_the_upload(two_hosts, monkeypatch):
    web, worker = two_hosts("local")
    agency, category = setup_agency()
    _file_on_the_web_host(web, category, monkeypatch)
    with worker.app_context():
        event = db.session.scalar(db.select(InboundEvent))
        assert process_event(event.id) == "processed"
        refused = db.session.scalar(
            db.select(TicketEvent).where(TicketEvent.kind == "attachment_refused")
        )
        assert refused.data["reason"] == "fetch failed: stored upload missing"
        assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0
