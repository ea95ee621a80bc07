"""SLA sweeps across a weekend and state holidays, in Selangor (Sat–Sun weekend) and Kedah
(Fri–Sat weekend). Hari Raya Aidilfitri 2026: Fri 20 – Sun 22 March everywhere, and Mon 23
March observed in Selangor only."""

import datetime as dt
import logging
import multiprocessing as mp
from collections import Counter
from zoneinfo import ZoneInfo

import time_machine

from aduan.models import OutboundMessage, TicketEvent
from aduan.models.routing import Notification, ServiceRecovery, SlaAlert
from aduan.services.sla import sweeps
from aduan.services.tickets import extending as extension
from aduan.services.tickets import workflow
from tests.builders_routing import gen_org, gen_reachable_ticket

MYT = ZoneInfo("Asia/Kuala_Lumpur")
ACK = "acknowledge_due_at"


def myt(day, hour, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=MYT)


def sweep_at(instant):
    with time_machine.travel(instant, tick=False):
        return sweeps.sweep_sla()


def alerts(db, field=ACK):
    rows = db.session.scalars(
        db.select(SlaAlert).where(SlaAlert.deadline_field == field).order_by(SlaAlert.id)
    )
    return [(a.kind, a.level) for a in rows]


def notified(db, kind_prefix="sla_"):
    rows = db.session.scalars(
        db.select(Notification)
        .where(Notification.kind.startswith(kind_prefix))
        .order_by(Notification.id)
    )
    return [(n.kind, n.officer_id) for n in rows]


def org_with_ticket(db, state, language="ms"):
    agency, unit, head, manager, boss, (officer,) = gen_org(state=state, officers=1)
    ticket = gen_reachable_ticket(agency, unit, language=language, at=myt(19, 9))
    ticket.assignee = officer
    db.session.commit()
    return ticket, officer, head, manager, boss


def test_selangor_acknowledgement_across_raya_weekend_and_state_holiday(db):
    ticket, officer, head, manager, boss = org_with_ticket(db, "10")
    # Thu 19 received; Fri 20 Raya, Sat–Sun weekend, Mon 23 Raya observed (Selangor): Tue 24.
    assert ticket.acknowledge_due_at == myt(24, 17)
    # 17 working hours: Thu 8 h + Tue 9 h. One day before = Thu 17:00; 50% = Tue 08:30;
    # 80% = Tue 13:36.
    sweep_at(myt(19, 16))
    assert alerts(db) == []
    sweep_at(myt(23, 10))  # on the holiday: only the day-before warning is due
    assert alerts(db) == [("warn_day_before", 0)]
    sweep_at(myt(24, 8, 45))
    sweep_at(myt(24, 8, 46))
    assert alerts(db)[-1] == ("warn_50", 0)
    sweep_at(myt(24, 14))
    assert alerts(db)[-1] == ("warn_80", 0)
    assert len(alerts(db)) == 3
    warned = [n for n in notified(db, "sla_warn") if n[1] == officer.id]
    assert len(warned) >= 3

    sweep_at(myt(24, 17, 30))  # breached: level 0 (assignee) and service recovery
    sweep_at(myt(24, 17, 31))
    sweep_at(myt(25, 12))  # less than one working day late: no new level
    assert [a for a in alerts(db) if a[0] == "breach"] == [("breach", 0)]
    sweep_at(myt(25, 17, 30))  # level 1: unit head
    sweep_at(myt(26, 17, 30))  # level 2: complaint manager
    sweep_at(myt(26, 17, 31))
    sweep_at(myt(27, 17, 30))  # Friday is a working day in Selangor: level 3, agency head
    sweep_at(myt(30, 17, 30))
    sweep_at(dt.datetime(2026, 4, 30, 12, tzinfo=MYT))
    breaches = [a for a in alerts(db) if a[0] == "breach"]
    assert breaches == [("breach", 0), ("breach", 1), ("breach", 2), ("breach", 3)]
    escalated = [n[1] for n in notified(db, "sla_breach")]
    ack_escalations = escalated[:4]
    assert ack_escalations == [officer.id, head.id, manager.id, boss.id]

    [recovery] = db.session.scalars(
        db.select(ServiceRecovery).where(ServiceRecovery.deadline_field == ACK)
    ).all()
    assert recovery.promised_at == myt(24, 17)
    assert recovery.how_late_seconds == 30 * 60
    assert recovery.new_date == dt.date(2026, 3, 31)  # five Selangor working days after Tue 24
    messages = db.session.scalars(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "recovery")
    ).all()
    assert any("memohon maaf" in m.body and "31 Mac 2026" in m.body for m in messages)
    events = Counter(e.kind for e in db.session.scalars(db.select(TicketEvent)))
    assert events["service_recovery"] >= 1


def test_kedah_counts_in_its_own_calendar(db):
    ticket, officer, head, manager, boss = org_with_ticket(db, "02", language="en")
    # Kedah rests Fri–Sat; Sun 22 is Raya's second day; Mon 23 is a working day in Kedah.
    assert ticket.acknowledge_due_at == myt(23, 17)
    sweep_at(myt(22, 12))  # a holiday: nothing has moved since Thursday 17:00
    assert alerts(db) == [("warn_day_before", 0)]
    sweep_at(myt(23, 8, 31))
    assert alerts(db)[-1] == ("warn_50", 0)
    sweep_at(myt(23, 17, 1))
    assert alerts(db)[-1] == ("breach", 0)
    sweep_at(myt(24, 17, 1))  # Tuesday: one working day late
    sweep_at(myt(25, 17, 1))
    sweep_at(myt(26, 16))  # two working days and 8 hours late: still level 2
    assert alerts(db)[-1] == ("breach", 2)
    sweep_at(myt(28, 12))  # Saturday, a Kedah rest day: Thursday made three days late
    sweep_at(myt(29, 17, 1))
    assert [a for a in alerts(db) if a[0] == "breach"] == [("breach", n) for n in range(4)]
    [message] = db.session.scalars(
        db.select(OutboundMessage).where(
            OutboundMessage.purpose == "recovery", OutboundMessage.body.contains("acknowledgement")
        )
    ).all()
    assert "We apologise" in message.body  # the complainant wrote in English


def test_after_a_sweep_outage_every_level_reached_is_raised_at_once(db):
    ticket, officer, head, manager, boss = org_with_ticket(db, "10")
    counts = sweep_at(myt(27, 17, 30))  # first run since before the Tue 24 deadline
    assert [a for a in alerts(db) if a[0] == "breach"] == [("breach", n) for n in range(4)]
    escalated = [n[1] for n in notified(db, "sla_breach")]
    assert escalated[:4] == [officer.id, head.id, manager.id, boss.id]
    assert counts["breach_level_3"] >= 1 and counts["service_recovery"] >= 1
    sweep_at(myt(30, 17, 30))
    assert len([a for a in alerts(db) if a[0] == "breach"]) == 4  # nothing twice


def test_one_broken_ticket_does_not_roll_back_its_batch(db, monkeypatch):
    broken, *_ = org_with_ticket(db, "10")
    healthy, *_ = org_with_ticket(db, "10")
    check = sweeps.check_ticket

    def check_or_break(ticket, now, counts):
        when = check(ticket, now, counts)  # does its work, then fails: all of it undone
        if ticket.id == broken.id:
            raise RuntimeError("a broken ticket")
        return when

    monkeypatch.setattr(sweeps, "check_ticket", check_or_break)
    now = myt(24, 17, 30)
    counts = sweep_at(now)
    assert counts["failed"] == 1 and counts["tickets"] == 2
    db.session.expire_all()
    by_ticket = Counter(a.ticket_id for a in db.session.scalars(db.select(SlaAlert)))
    assert by_ticket[healthy.id] > 0 and by_ticket[broken.id] == 0
    assert broken.sla_next_check_at == now + sweeps.FAILED_RECHECK
    recovered = db.session.scalars(db.select(ServiceRecovery.ticket_id)).all()
    assert set(recovered) == {healthy.id}


def test_a_failed_check_logs_no_contact_details(db, monkeypatch, caplog):
    from sqlalchemy.exc import IntegrityError

    ticket, *_ = org_with_ticket(db, "10")
    phone = ticket.complainant.phone

    def failing_insert(ticket, now, counts):  # what a failed INSERT of a notice carries
        raise IntegrityError("INSERT INTO outbound_messages", {"to_handle": phone}, Exception())

    monkeypatch.setattr(sweeps, "check_ticket", failing_insert)
    with caplog.at_level(logging.DEBUG, logger="aduan"):
        assert sweep_at(myt(24, 17, 30))["failed"] == 1
    assert f"ticket_id={ticket.id}" in caplog.text and "IntegrityError" in caplog.text
    assert phone not in caplog.text and phone[-9:] not in caplog.text
    assert "outbound_messages" not in caplog.text  # no statement, no parameters, no traceback


def test_met_and_paused_deadlines_are_left_alone(db):
    ticket, officer, *_ = org_with_ticket(db, "10")
    workflow.change_status(ticket, "diterima", actor=officer, at=myt(19, 10))
    workflow.change_status(ticket, "dalam_tindakan", actor=officer, at=myt(19, 10))
    workflow.change_status(ticket, "menunggu_pengadu", actor=officer, at=myt(19, 10))
    db.session.commit()
    sweep_at(myt(30, 17, 30))
    assert db.session.scalar(db.select(db.func.count()).select_from(SlaAlert)) == 0


def test_extension_sends_the_interim_reply_with_reason_and_new_date(db):
    ticket, officer, *_ = org_with_ticket(db, "10", language="en")
    workflow.change_status(ticket, "dalam_tindakan", actor=officer)
    new_date = dt.datetime(2026, 5, 15, 17, tzinfo=MYT)
    with time_machine.travel(myt(30, 10), tick=False):
        message = extension.extend(ticket, officer, "Awaiting a site inspection", new_date)
    db.session.commit()
    assert ticket.status == "dipanjangkan" and ticket.resolve_due_at == new_date
    assert message.purpose == "interim"
    assert "Awaiting a site inspection" in message.body and "15 May 2026" in message.body
    kinds = [e.kind for e in ticket.events]
    assert "extended" in kinds and "status_changed" in kinds
    sweep_at(myt(30, 10, 1))
    resolve_kinds = alerts(db, "resolve_due_at")
    assert all(kind.startswith("warn") for kind, _ in resolve_kinds)  # new date not yet near


def test_malay_interim_reply(db):
    ticket, officer, *_ = org_with_ticket(db, "10")
    workflow.change_status(ticket, "dalam_tindakan", actor=officer)
    message = extension.extend(
        ticket, officer, "Menunggu laporan teknikal", dt.datetime(2026, 6, 1, 17, tzinfo=MYT)
    )
    assert "Jawapan interim" in message.body and "1 Jun 2026" in message.body


def test_the_sweep_selection_uses_the_partial_index(db):
    db.session.execute(db.text("SET LOCAL enable_seqscan = off"))
    query = sweeps.due_tickets_query(myt(19, 9))
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.execute(db.text(f"EXPLAIN {compiled}")).scalars())
    assert "ix_tickets_sla_next_check" in plan


def _sweep_process(database_url, instance_dir, instants, barrier, queue):
    from pathlib import Path

    from aduan.services.sla import sweeps as sweeps_module
    from tests.conftest import make_app

    app = make_app(database_url, Path(instance_dir))
    done = Counter()
    with app.app_context():
        for instant in instants:
            barrier.wait(timeout=60)
            done.update(sweeps_module.sweep_sla(now=instant))
    queue.put(dict(done))


def test_two_sweeps_at_the_same_moment_act_once(app, db, database_url, tmp_path):
    agency, unit, head, manager, boss, staff = gen_org(state="10", officers=3)
    tickets = [gen_reachable_ticket(agency, unit, at=myt(19, 9)) for _ in range(30)]
    for n, ticket in enumerate(tickets):
        ticket.assignee = staff[n % 3]
    db.session.commit()
    instants = [myt(24, 17, 30), myt(25, 17, 30), myt(26, 17, 30), myt(27, 17, 30)]
    ctx = mp.get_context("spawn")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    procs = [
        ctx.Process(target=_sweep_process, args=(database_url, tmp_path, instants, barrier, queue))
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    db.session.expire_all()
    per_key = Counter(
        (a.ticket_id, a.deadline_field, a.kind, a.level)
        for a in db.session.scalars(db.select(SlaAlert))
    )
    assert per_key and set(per_key.values()) == {1}
    breach_levels = Counter(k[3] for k in per_key if k[1] == ACK and k[2] == "breach")
    assert breach_levels == {0: 30, 1: 30, 2: 30, 3: 30}
    combined = Counter()
    for r in results:
        combined.update(r)
    assert combined["breach_level_3"] == 30  # the processes' own counts agree: no double act
    recoveries = db.session.scalars(db.select(ServiceRecovery)).all()
    assert Counter((r.ticket_id, r.deadline_field) for r in recoveries) == Counter(
        {(t.id, ACK): 1 for t in tickets}
    )
    recovery_messages = db.session.scalars(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "recovery")
    ).all()
    assert len(recovery_messages) == len(recoveries) == 30
    to_boss = db.session.scalar(
        db.select(db.func.count())
        .select_from(Notification)
        .where(Notification.officer_id == boss.id, Notification.kind == "sla_breach")
    )
    assert to_boss == 30


def test_daily_handling_reminder_next_working_morning_once(db):
    from aduan.services.sla import daily_handling

    ticket, officer, *_ = org_with_ticket(db, "10")
    officer.locale = "en"
    touched = gen_reachable_ticket(ticket.agency, ticket.unit, at=myt(19, 9))
    touched.assignee = officer
    touched.last_officer_action_at = myt(24, 15)
    db.session.commit()
    # Tue 24 is the first working day after Raya: the previous working day is Thu 19.
    assert daily_handling.previous_working_day("10", dt.date(2026, 3, 24)) == dt.date(2026, 3, 19)
    assert daily_handling.send_handling_reminders(myt(23, 8)) == 0  # a Selangor holiday
    assert daily_handling.send_handling_reminders(myt(25, 8)) == 1  # untouched on Tue 24
    assert daily_handling.send_handling_reminders(myt(25, 9)) == 0  # once a day
    [note] = db.session.scalars(
        db.select(Notification).where(Notification.kind == "daily_handling")
    ).all()
    assert note.ticket_id == ticket.id and note.officer_id == officer.id
    [mail] = db.session.scalars(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "officer_notice")
    ).all()
    assert mail.channel == "email" and mail.to_handle == officer.email
    assert mail.subject.startswith("No action")  # the officer reads English


def test_morning_digest_once_per_officer_per_day(db):
    from aduan.services.sla import daily_handling

    ticket, officer, *_ = org_with_ticket(db, "10")
    assert daily_handling.send_morning_digest(myt(24, 8)) == 1
    assert daily_handling.send_morning_digest(myt(24, 9)) == 0
    assert daily_handling.send_morning_digest(myt(25, 8)) == 1
    note = db.session.scalars(
        db.select(Notification).where(Notification.kind == "morning_digest")
    ).first()
    assert note.body.startswith("Terbuka: 1.")
