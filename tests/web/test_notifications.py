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


def test_grouped_per_ticket_in_local_time_with_a_link_and_read_when_opened(client):
    import datetime as dt

    from aduan.services.outbox.officer_notices import notify
    from tests.builders import gen_ticket

    agency = gen_agency()
    unit = gen_unit(agency)
    me = gen_officer(agency, units=[unit], locale="en")
    ticket = gen_ticket(agency, unit)
    notify(me, "delivery_failed", ticket=ticket, title_ms="Tidak sampai", title_en="Not delivered")
    for level in (1, 2):
        notify(me, "sla_breach", ticket=ticket, title_ms="Dilanggar", title_en=f"Missed {level}")
    for note in db.session.scalars(db.select(Notification)):
        note.created_at = dt.datetime(2026, 11, 17, 1, 0, tzinfo=dt.UTC)
    db.session.commit()
    login(client, me)
    html = client.get("/inbox/notifications").get_data(as_text=True)
    assert html.count(f'data-notification-group="{ticket.reference}"') == 1  # one group
    assert f'href="/inbox/tickets/{ticket.reference}"' in html
    assert "Missed 2" in html and 'data-repeats="2"' in html and "Missed 1" not in html
    assert "17 November 2026, 09:00" in html and ">2026-11-17T" not in html  # not raw UTC
    assert "1 earlier notice" in html and "Not delivered" in html
    client.get(f"/inbox/tickets/{ticket.reference}")  # opening the ticket reads its notices
    assert ">0</span>" in client.get("/inbox/notifications/count").get_data(as_text=True)


def test_preferences_page_saves_the_officers_own_choice(client):
    from aduan.services.inbox import preferences

    agency = gen_agency()
    me = gen_officer(agency, units=[gen_unit(agency)])
    db.session.commit()
    login(client, me)
    assert 'name="digest"' in client.get("/inbox/notifications/preferences").get_data(as_text=True)
    path = "/inbox/notifications/preferences"
    response = post(client, path, {"in_app": "1", "digest": "1"}, path)
    assert response.status_code == 303
    assert preferences.of(me) == preferences.Choice(in_app=True, email=False, digest=True)
