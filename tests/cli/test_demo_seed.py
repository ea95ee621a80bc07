from collections import Counter

from aduan.models import Officer, Ticket, TicketEvent, Unit
from aduan.services.auth.passwords import verify_password


def test_demo_seed_creates_a_working_agency_once(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed", "--tickets", "60"])
    assert first.exit_code == 0, first.output
    assert "Demo-Aduan-2026" in first.output and "admin" in first.output
    tickets = db.session.scalars(db.select(Ticket)).all()
    assert len(tickets) == 60
    assert {u.state_code for u in db.session.scalars(db.select(Unit))} >= {"10", "02", "01"}
    roles = {r for o in db.session.scalars(db.select(Officer)) for r in o.roles}
    assert roles == {"officer", "supervisor", "complaint_manager", "admin"}
    assert all(t.resolve_due_at and t.acknowledge_due_at for t in tickets)
    statuses = Counter(t.status for t in tickets)
    assert len(statuses) >= 6
    assert len({t.origin_channel for t in tickets}) >= 6
    assert {t.language for t in tickets} == {"ms", "en"}
    events = db.session.scalar(db.select(db.func.count(TicketEvent.id)))
    assert events > 60
    admin = db.session.scalar(db.select(Officer).where(Officer.username == "admin"))
    assert verify_password(admin.password_hash, "Demo-Aduan-2026")

    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0
    assert "already present (60 tickets)" in second.output
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 60
