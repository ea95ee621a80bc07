"""``flask platform-admin grant|revoke|list``: the only way to the platform role."""

from aduan.models import Officer
from tests.builders import gen_agency, gen_officer, login


def test_grant_opens_the_national_calendar_and_revoke_closes_it(app, db, client):
    officer = gen_officer(gen_agency(), roles=("admin",), username="Siti.Platform")
    db.session.commit()
    runner = app.test_cli_runner()
    granted = runner.invoke(args=["platform-admin", "grant", "siti.platform"])
    assert granted.exit_code == 0 and "is now a platform administrator" in granted.output
    assert "Siti.Platform" in runner.invoke(args=["platform-admin", "list"]).output
    login(client, db.session.get(Officer, officer.id))
    assert client.get("/admin/national-calendar/new").status_code == 200
    assert runner.invoke(args=["platform-admin", "revoke", "Siti.Platform"]).exit_code == 0
    db.session.expire_all()
    login(client, db.session.get(Officer, officer.id))
    assert client.get("/admin/national-calendar/new").status_code == 403
    missing = runner.invoke(args=["platform-admin", "grant", "nobody"])
    assert missing.exit_code == 2 and "no officer signs in as 'nobody'" in missing.output
