"""Quarantined events: the CLI and the admin API list them (no payload) and retry them."""

from __future__ import annotations

import redis as redis_lib
from itsdangerous import URLSafeTimedSerializer
from rq import Queue

from aduan.models import InboundEvent
from aduan.models.base import utcnow
from aduan.services.channel_config import accounts as accounts
from tests.builders import gen_agency, gen_officer
from tests.conftest import REDIS_URL
from tests.web.signing import sign_in

SECRET_PAYLOAD = {"From": "+60123456789", "Body": "Nama saya Aminah"}


def ingest_jobs() -> list[str]:
    return Queue("test-ingest", connection=redis_lib.Redis.from_url(REDIS_URL)).job_ids


def gen_quarantined(db, provider_id: str, account_key: str = "default", channel: str = "sms"):
    event = InboundEvent(
        channel=channel,
        account_key=account_key,
        provider_id=provider_id,
        payload=SECRET_PAYLOAD,
        quarantined_at=utcnow(),
        attempts=3,
        error="twilio message without From",
    )
    db.session.add(event)
    db.session.commit()
    return event


def csrf_headers(client) -> dict[str, str]:
    """A valid Flask-WTF token for the client's session (what a page would embed)."""
    raw = "test-csrf-raw-token"
    with client.session_transaction() as session:
        session["csrf_token"] = raw
    secret = client.application.config["SECRET_KEY"]
    return {"X-CSRFToken": URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)}


def test_cli_lists_without_payload_and_retries(app_ctx, db):
    event = gen_quarantined(db, "SM-q1")
    runner = app_ctx.test_cli_runner()
    listed = runner.invoke(args=["intake", "quarantine"])
    assert listed.exit_code == 0
    assert f"{event.id}\tsms\t" in listed.output and "without From" in listed.output
    assert "60123456789" not in listed.output and "Aminah" not in listed.output

    retried = runner.invoke(args=["intake", "retry", str(event.id)])
    assert retried.exit_code == 0, retried.output
    db.session.refresh(event)
    assert event.quarantined_at is None and event.attempts == 0
    assert ingest_jobs() == [f"ingest-{event.id}"]
    assert "no quarantined events" in runner.invoke(args=["intake", "quarantine"]).output
    missing = runner.invoke(args=["intake", "retry", str(event.id)])
    assert missing.exit_code != 0 and "no quarantined event" in missing.output


def test_api_is_for_admins_of_the_owning_agency(client, db):
    home = gen_agency()  # the first agency: the default owner of events with no account
    other = gen_agency()
    accounts.save_account(other, "sms", {"auth_token": "x" * 20}, key="other")
    admin = gen_officer(home, roles=("admin",))
    officer = gen_officer(home)
    other_admin = gen_officer(other, roles=("admin",))
    db.session.commit()
    mine = gen_quarantined(db, "SM-mine")
    theirs = gen_quarantined(db, "SM-theirs", account_key="other")

    sign_in(client, officer)
    assert client.get("/api/admin/quarantine").status_code == 403
    assert (
        client.post(
            f"/api/admin/quarantine/{mine.id}/retry", headers=csrf_headers(client)
        ).status_code
        == 403
    )

    sign_in(client, admin)
    response = client.get("/api/admin/quarantine")
    assert response.status_code == 200
    assert [item["id"] for item in response.get_json()["items"]] == [mine.id]
    assert "Aminah" not in response.get_data(as_text=True)
    headers = csrf_headers(client)
    assert (
        client.post(f"/api/admin/quarantine/{theirs.id}/retry", headers=headers).status_code == 404
    )
    response = client.post(f"/api/admin/quarantine/{mine.id}/retry", headers=headers)
    assert response.status_code == 200 and response.get_json()["enqueued"] is True
    assert ingest_jobs() == [f"ingest-{mine.id}"]

    sign_in(client, other_admin)
    assert [i["id"] for i in client.get("/api/admin/quarantine").get_json()["items"]] == [theirs.id]
