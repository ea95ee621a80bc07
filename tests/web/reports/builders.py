"""Two agencies with known figures for the reports' page and browser tests: agency A has a
parent unit (supervised) and a branch beside it (not supervised), agency B one unit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from aduan.extensions import db
from aduan.models import SurveyResponse
from aduan.services.reports import rollups
from aduan.services.sla.clock import local_moment, local_today
from aduan.services.tickets import workflow
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit


@dataclass
class Seeded:
    agency_id: int
    other_agency_id: int
    supervised_unit_id: int
    officers: dict = field(default_factory=dict)
    references: dict = field(default_factory=dict)


def seed_reports() -> Seeded:
    """In agency A this month: 3 tickets received in the supervised unit (one resolved on
    time, rated 4 with a comment), 2 in the other unit (one by SMS); agency B: 4 tickets."""
    today = local_today()
    start = local_moment(today.replace(day=1), dt.time(9))
    a, b = gen_agency("LPA"), gen_agency("LPB")
    supervised, other = gen_unit(a, "10", name="Unit Jalan"), gen_unit(a, "02", name="Unit Sisa")
    b_unit = gen_unit(b, "10", name="Unit Kuarza")
    supervisor = gen_officer(a, units=[supervised], roles=("officer", "supervisor"),
                             username="lp.penyelia", name="Penyelia LPA")  # fmt: skip
    manager = gen_officer(a, roles=("officer", "complaint_manager"), username="lp.pengurus")
    officer = gen_officer(a, units=[supervised], username="lp.pegawai", name="Pegawai LPA")
    gen_officer(b, roles=("complaint_manager",), username="lpb.pengurus")
    db.session.commit()
    seeded = Seeded(a.id, b.id, supervised.id)
    seeded.officers = {"supervisor": supervisor, "manager": manager, "officer": officer}
    made = []
    for unit, channel in ((supervised, "web"),) * 3 + ((other, "web"), (other, "sms")):
        made.append(gen_ticket(a, unit, received_at=start, origin_channel=channel))
    for _ in range(4):
        gen_ticket(b, b_unit, received_at=start, origin_channel="email")
    db.session.commit()
    done = made[0]
    done.assignee_id = officer.id
    workflow.change_status(done, "diterima", actor=officer, at=start + dt.timedelta(minutes=5))
    workflow.change_status(done, "selesai", actor=officer, at=start + dt.timedelta(minutes=30))
    responded = min(start + dt.timedelta(hours=1), dt.datetime.now(dt.UTC))
    db.session.add(
        SurveyResponse(ticket_id=done.id, resolved_at=done.resolved_at, requested_at=responded,
                       responded_at=responded, rating=4, comment="Cepat dan baik")
    )  # fmt: skip
    db.session.commit()
    seeded.references = {"resolved": done.reference, "sms": made[4].reference}
    rollups.refresh_all()
    return seeded


def seed_quality(seeded: Seeded) -> None:
    """Service quality this month: agency A's "Kaunter Alfa" rated 5, 4 and 2 (the 2 with a
    comment), one mystery-shopping visit scoring 50, one action overdue and one done; agency
    B's "Kaunter Beta" rated 1 with a visit of its own, none of which A may see."""
    from aduan.models import Agency
    from aduan.models.quality import Action, Visit
    from tests.builders_quality import (
        gen_checklist,
        gen_exercise,
        gen_rating,
        gen_service_point,
        gen_shopper,
    )

    for agency_id, name, scores in ((seeded.agency_id, "Kaunter Alfa", (5, 4, 2)),
                                    (seeded.other_agency_id, "Kaunter Beta", (1,))):  # fmt: skip
        agency = db.session.get(Agency, agency_id)
        point = gen_service_point(agency, code=f"kaunter-{agency_id}", name=name)
        for score in scores:
            gen_rating(point, score=score, comment="Lambat" if score <= 2 else None)
        exercise = gen_exercise(gen_checklist(agency), [point])
        shopper, _token = gen_shopper(exercise)
        answers = {"q1": True, "q2": agency_id != seeded.agency_id}  # A: 50, B: 100
        db.session.add(Visit(exercise_id=exercise.id, shopper_id=shopper.id,
                             service_point_id=point.id, submission_id=f"s-{agency_id}",
                             visited_at=dt.datetime.now(dt.UTC), answers=answers))  # fmt: skip
        if agency_id == seeded.agency_id:
            owner = seeded.officers["manager"]
            db.session.add_all([
                Action(exercise_id=exercise.id, description="Kursus", owner_id=owner.id,
                       due_on=dt.date(2020, 1, 1)),
                Action(exercise_id=exercise.id, description="Papan tanda", owner_id=owner.id,
                       due_on=dt.date(2099, 1, 1), done_at=dt.datetime.now(dt.UTC)),
            ])  # fmt: skip
    db.session.commit()
