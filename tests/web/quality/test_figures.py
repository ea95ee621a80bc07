"""Service-quality figures for reports (issue #18 item 4): per agency and period, per service
point, the trend per month, and the page with its SVG charts and data table."""

from __future__ import annotations

import datetime as dt

from aduan.extensions import db
from aduan.models import Agency
from aduan.models.quality import Action
from aduan.services.quality.figures import quality_figures, quality_figures_many
from aduan.services.sla.clock import local_zone
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit, login
from tests.builders_quality import (
    gen_checklist,
    gen_exercise,
    gen_rating,
    gen_service_point,
    gen_shopper,
)


def _at(year, month, day=10):
    return dt.datetime(year, month, day, 10, 0, tzinfo=local_zone())


def _world():
    a = gen_agency(code="MBA")
    unit = gen_unit(a)
    counter = gen_service_point(a, code="kaunter-1", name="Kaunter Satu")
    hotline = gen_service_point(a, code="talian", name="Talian Satu")
    for score, when in ((5, _at(2026, 1)), (4, _at(2026, 1, 20)), (1, _at(2026, 2)),
                        (3, _at(2026, 3)), (2, _at(2025, 12))):  # fmt: skip
        gen_rating(counter, score=score, comment="Lambat" if score < 3 else None, created_at=when)
    gen_rating(hotline, score=5, comment=None, created_at=_at(2026, 2))
    b = gen_agency(code="MBB")
    gen_rating(gen_service_point(b, name="Kaunter Lain"), score=1, created_at=_at(2026, 1))
    return a, unit, counter, hotline


def test_the_figures_count_the_agencys_ratings_by_point_and_month(app_ctx):
    a, _unit, counter, _hotline = _world()
    db.session.commit()
    found = quality_figures(a.id, dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    assert (found.ratings, found.mean_rating) == (5, 3.6)  # B's and December's left out
    assert found.satisfied == 60.0 and found.low_with_comment == 1
    assert [(m.month.month, m.ratings, m.mean_rating) for m in found.trend] == [
        (1, 2, 4.5), (2, 2, 3.0), (3, 1, 3.0)
    ]  # fmt: skip
    by_name = {p.name: p for p in found.by_point}
    assert set(by_name) == {"Kaunter Satu", "Talian Satu"}
    assert (by_name["Kaunter Satu"].ratings, by_name["Kaunter Satu"].low_ratings) == (4, 1)


def test_the_figures_include_mystery_shopping_and_the_action_plan(app_ctx):
    from aduan.models.quality import Visit

    a, unit, counter, _hotline = _world()
    checklist = gen_checklist(a)
    exercise = gen_exercise(checklist, [counter])
    shopper, _token = gen_shopper(exercise)
    db.session.add(Visit(exercise_id=exercise.id, shopper_id=shopper.id,
                         service_point_id=counter.id, submission_id="s-1",
                         visited_at=_at(2026, 2), answers={"q1": True, "q2": False}))  # fmt: skip
    owner = gen_officer(a, units=[unit])
    db.session.add_all([
        Action(exercise_id=exercise.id, description="Kursus", owner_id=owner.id,
               due_on=dt.date(2020, 1, 1)),
        Action(exercise_id=exercise.id, description="Papan tanda", owner_id=owner.id,
               due_on=dt.date(2099, 1, 1), done_at=_at(2026, 2)),
    ])  # fmt: skip
    db.session.commit()
    found = quality_figures(a.id, dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    assert (found.visits, found.visit_score) == (1, 50.0)
    assert [m.visit_score for m in found.trend] == [None, 50.0, None]
    assert (found.actions_open, found.actions_overdue, found.actions_done) == (1, 1, 1)


def test_many_agencies_and_periods_read_at_once_each_keep_their_own(app_ctx):
    from aduan.models.quality import Study, StudyInvitation

    a, unit, counter, _hotline = _world()
    b = db.session.scalar(db.select(Agency).where(Agency.code == "MBB"))
    study = Study(checklist_id=gen_checklist(a).id, year=2026, sample_size=3,
                  sent_at=_at(2026, 2))  # fmt: skip
    db.session.add(study)
    db.session.flush()
    for n, answered in enumerate((_at(2026, 2, 12), None, None)):
        db.session.add(StudyInvitation(study_id=study.id, ticket_id=gen_ticket(a, unit).id,
                                       token_hash=f"h{n}" * 8, sent_at=_at(2026, 2),
                                       answered_at=answered))  # fmt: skip
    db.session.commit()
    windows = [
        (dt.date(2026, 1, 1), dt.date(2026, 2, 1)),
        (dt.date(2026, 2, 1), dt.date(2026, 4, 1)),
    ]
    found = quality_figures_many([a.id, b.id], windows)
    january, later = found[a.id]
    assert (january.ratings, january.mean_rating, later.ratings, later.mean_rating) == (
        2, 4.5, 3, 3.0
    )  # fmt: skip
    assert january.study_year is None  # the study went out in February
    assert (later.study_year, later.study_answered, later.study_response_rate) == (2026, 1, 33.3)
    assert [(f.ratings, f.mean_rating, f.study_year) for f in found[b.id]] == [
        (1, 1.0, None),
        (0, None, None),
    ]  # B's own rating only, and none of A's study
    assert quality_figures(a.id, *windows[1]).ratings == 3


def test_the_page_draws_the_trend_and_shows_its_table(client):
    a, unit, _counter, _hotline = _world()
    login(client, gen_officer(a, units=[unit], roles=("complaint_manager",)))
    db.session.commit()
    page = client.get("/kualiti/angka?dari=2026-01&hingga=2026-03").get_data(as_text=True)
    assert page.count("<svg") == 2 and 'data-value="4.5"' in page
    assert '<tr data-month="2026-01">' in page and '<tr data-month="2026-04">' not in page
    assert "Kaunter Satu" in page and "Kaunter Lain" not in page  # B's point
    assert client.get("/kualiti/angka?dari=rosak").status_code == 200  # bad input: defaults
