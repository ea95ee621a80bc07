"""Officer notices (issue #17): repeats about one ticket fold into one unread notice with one
e-mail; each officer chooses in the app, e-mail and a daily digest (sent through the door)."""

from __future__ import annotations

import datetime as dt

from aduan.extensions import db
from aduan.models import OutboundMessage
from aduan.models.routing import Notification
from aduan.services.inbox import digest, notifications, preferences
from aduan.services.outbox.officer_notices import notify
from aduan.services.sla.clock import local_moment
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit


def _desk():
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit], locale="en")
    return officer, gen_ticket(agency, unit), gen_ticket(agency, unit)


def _held(officer, ticket, n):
    return notify(officer, "message_held", ticket=ticket, title_ms=f"Ditahan {n}",
                  title_en=f"Held {n}", dedupe_key=f"held-{ticket.id}-{n}")  # fmt: skip


def _mails(officer) -> int:
    query = db.select(db.func.count(OutboundMessage.id)).where(
        OutboundMessage.purpose == "officer_notice", OutboundMessage.to_handle == officer.email
    )
    return db.session.scalar(query)


def _rows(officer) -> list[Notification]:
    query = db.select(Notification).where(Notification.officer_id == officer.id)
    return list(db.session.scalars(query.order_by(Notification.id)))


def test_a_message_held_three_times_is_one_unread_notice_and_one_email(db):
    officer, ticket, other = _desk()
    for n in (1, 2, 3):
        _held(officer, ticket, n)
    _held(officer, other, 1)  # another ticket is another notice
    assert _held(officer, ticket, 3) is None  # the same key again: nothing at all
    rows = _rows(officer)
    assert [(r.ticket_id, r.repeats, r.title_en) for r in rows] == [
        (ticket.id, 3, "Held 3"),
        (other.id, 1, "Held 1"),
    ]
    assert notifications.unread_count(officer) == 2 and _mails(officer) == 2


def test_two_escalation_levels_fold_but_a_warning_stays_its_own_notice(db):
    officer, ticket, _ = _desk()
    notify(officer, "sla_warn_80", ticket=ticket, title_ms="Amaran", title_en="Warning")
    for level in (1, 2):  # two breach levels at once
        notify(officer, "sla_breach", ticket=ticket, title_ms=f"Tahap {level}",
               title_en=f"Level {level}")  # fmt: skip
    assert [(r.kind, r.repeats, r.title_en) for r in _rows(officer)] == [
        ("sla_warn_80", 1, "Warning"),
        ("sla_breach", 2, "Level 2"),
    ]


def test_once_read_a_new_notice_is_a_new_row(db):
    officer, ticket, _ = _desk()
    _held(officer, ticket, 1)
    notifications.mark_ticket_read(officer, ticket)  # the officer opened the ticket
    _held(officer, ticket, 2)
    assert [(r.repeats, r.read_at is None) for r in _rows(officer)] == [(1, False), (1, True)]


def test_preferences_turn_off_the_email_and_the_in_app_count(db):
    officer, ticket, other = _desk()
    assert preferences.of(officer) == preferences.Choice(in_app=True, email=True, digest=False)
    preferences.save(officer, in_app=True, email=False, digest=True)
    _held(officer, ticket, 1)
    assert _mails(officer) == 0 and notifications.unread_count(officer) == 1
    preferences.save(officer, in_app=False, email=False, digest=True)
    _held(officer, other, 1)
    assert notifications.unread_count(officer) == 1  # kept for the digest, never unread
    assert len(_rows(officer)) == 2


def test_the_daily_digest_lists_yesterday_in_local_time_with_links_once(db, app_ctx):
    officer, ticket, _ = _desk()
    preferences.save(officer, in_app=True, email=False, digest=True)
    _held(officer, ticket, 1)
    today = dt.date(2026, 11, 18)
    row = _rows(officer)[0]
    row.created_at = dt.datetime(2026, 11, 17, 1, 0, tzinfo=dt.UTC)  # 09:00 in Kuala Lumpur
    db.session.commit()
    assert digest.send_digests(local_moment(today, dt.time(6, 0))) == 0  # not morning yet
    assert digest.send_digests(local_moment(today, dt.time(7, 30))) == 1
    assert digest.send_digests(local_moment(today, dt.time(9, 0))) == 0  # once a day
    mail = db.session.scalar(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "officer_notice")
    )
    assert mail.to_handle == officer.email
    assert "17 November 2026, 09:00" in mail.body and "Held 1" in mail.body
    assert f"/inbox/tickets/{ticket.reference}" in mail.body and "+00:00" not in mail.body
