"""``flask demo seed`` sets up two agencies side by side, each with its own people, units,
categories, secret-free channel accounts and tickets, and a platform administrator; it prints
the sign-ins of all three, and each sign-in reaches only what it should."""

from aduan.models import Agency, Category, ChannelAccount, Officer, Ticket, Unit
from tests.builders import login


def _of(db, model, agency):
    return db.session.scalars(db.select(model).where(model.agency_id == agency.id)).all()


def test_demo_seed_makes_two_agencies_each_with_its_own_everything(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--tickets", "40"])
    assert result.exit_code == 0, result.output
    council, works = (
        db.session.scalar(db.select(Agency).where(Agency.code == code)) for code in ("MBDJ", "JKRD")
    )
    for agency, admin in ((council, "admin"), (works, "admin.jkr")):
        assert f"{agency.code}: {agency.name}" in result.output
        assert admin in result.output
        officers = _of(db, Officer, agency)
        assert {"admin", "officer"} <= {r for o in officers for r in o.roles}
        unit_ids = {u.id for u in _of(db, Unit, agency)}
        tickets = _of(db, Ticket, agency)
        assert tickets and {t.unit_id for t in tickets} <= unit_ids
        assert {t.category.agency_id for t in tickets if t.category} == {agency.id}
        own = {c.code for c in _of(db, Category, agency)}
        assert any(not code.startswith("BPA-") for code in own)
        accounts = {a.channel for a in _of(db, ChannelAccount, agency)}
        assert accounts == {"counter", "phone"}
    assert {u.state_code for u in _of(db, Unit, council)} == {"10"}
    assert {u.state_code for u in _of(db, Unit, works)} >= {"02", "01", "03"}
    assert "platform" in result.output and "platform_admin" in result.output


def test_the_demo_sign_ins_reach_their_own_rooms(app, db, client):
    app.test_cli_runner().invoke(args=["demo", "seed", "--tickets", "4"])
    by_name = {o.username: o for o in db.session.scalars(db.select(Officer))}
    login(client, by_name["platform"])
    assert client.get("/admin/national-calendar/new").status_code == 200
    login(client, by_name["admin.jkr"])
    assert client.get("/admin/national-calendar/new").status_code == 403
    assert client.get("/admin/holidays/new").status_code == 200  # its own office closures
    council_admin = by_name["admin"]
    assert client.get(f"/admin/officers/{council_admin.id}").status_code == 404
