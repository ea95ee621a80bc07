"""The quarantine page lists the agency's unparseable events and retries them."""

from aduan.extensions import db
from aduan.models import InboundEvent
from aduan.models.admin import AdminAuditLog
from aduan.models.base import utcnow
from tests.web.admin.helpers import post, setup


def test_quarantine_list_and_retry(client):
    setup(client)
    event = InboundEvent(channel="sms", provider_id="SMbad", payload={"x": 1}, attempts=3,
                         quarantined_at=utcnow(), error="ParseError: no Body")  # fmt: skip
    db.session.add(event)
    db.session.commit()
    html = client.get("/admin/quarantine").get_data(as_text=True)
    assert "ParseError: no Body" in html
    response = post(client, f"/admin/quarantine/{event.id}/retry", {}, "/admin/quarantine")
    assert response.status_code == 303
    db.session.refresh(event)
    assert event.quarantined_at is None and event.attempts == 0
    assert db.session.scalar(db.select(AdminAuditLog.action)) == "retry"
