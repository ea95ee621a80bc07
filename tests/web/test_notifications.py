"""The officer's own notifications: newest first, mark one / all read, unread count."""

from aduan.extensions import db
from aduan.models.routing import Notification
from tests.builders import gen_agency, gen_officer, gen_unit, login
from tests.web.admin.helpers import post


def _note(officer, title):
    row = Notification(officer_id=officer.id, kind="test", title_ms=title, title_en=title)
    db.session.add(row)
    db.session.flush()
    return row


def test_list_mark_read_and_count(client):
    agency = gen_agency()
    unit = gen_unit(agency)
    me, other = gen_officer(agency, units=[unit]), gen_officer(agency, units=[unit])
    first, second = _note(me, "Pertama"), _note(me, "Kedua")
    theirs = _note(other, "Bukan milik saya")
    db.session.commit()
    login(client, me)
    html = client.get("/inbox/notifications").get_data(as_text=True)
    assert html.index("Kedua") < html.index("Pertama") and "Bukan milik saya" not in html
    count = client.get("/inbox/notifications/count").get_data(as_text=True)
    assert 'id="notification-count"' in count and 'outerHTML">2</span>' in count
    response = post(client, f"/inbox/notifications/{first.id}/read", {}, "/inbox/notifications")
    assert response.status_code == 303
    db.session.refresh(first)
    assert first.read_at is not None
    stranger = post(client, f"/inbox/notifications/{theirs.id}/read", {}, "/inbox/notifications")
    assert stranger.status_code == 404
    post(client, "/inbox/notifications/read-all", {}, "/inbox/notifications")
    db.session.refresh(second)
    db.session.refresh(theirs)
    assert second.read_at is not None and theirs.read_at is None
    assert ">0</span>" in client.get("/inbox/notifications/count").get_data(as_text=True)
