"""The development database (SQLite) has no full-text index: search falls back to ILIKE."""

from flask_migrate import upgrade

from aduan.models import Message
from aduan.services.inbox import queries as queries
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit
from tests.conftest import make_app


def test_search_on_sqlite_matches_words_in_tickets_and_messages(tmp_path):
    from aduan.extensions import db

    app = make_app(f"sqlite:///{tmp_path / 'dev.db'}", tmp_path)
    with app.app_context():
        upgrade(directory="alembic")
        agency = gen_agency()
        unit = gen_unit(agency)
        officer = gen_officer(agency, [unit], roles=("complaint_manager",))
        lamp = gen_ticket(agency, unit, subject="Lampu jalan rosak")
        drain = gen_ticket(agency, unit, subject="Longkang tersumbat", description="Air bertakung.")
        db.session.add(Message(ticket_id=drain.id, direction="in", channel="sms", body="Bau 100%"))
        db.session.commit()

        def found(q):
            page = queries.page(officer, "unit", queries.Filters(q=q))
            return {t.id for t in page.tickets}

        assert found("LAMPU") == {lamp.id}
        assert found("bau") == {drain.id}
        assert found("100%") == {drain.id}  # % is literal, not a wildcard
        assert found(lamp.reference.lower()) == {lamp.id}
        assert found("tiada") == set()
        db.session.remove()
        db.engine.dispose()
