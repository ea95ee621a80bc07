"""Builders for the service-quality tests (``gen_<thing>``, as ``tests/builders.py``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

from aduan.extensions import db
from aduan.models import Agency
from aduan.models.base import utcnow
from aduan.models.quality import (
    Action,
    Checklist,
    Exercise,
    Rating,
    ServicePoint,
    Shopper,
    Study,
    StudyInvitation,
    Visit,
)
from aduan.services.sla.clock import local_zone


def gen_service_point(agency: Agency, code: str = "kaunter-1", **kw) -> ServicePoint:
    kw.setdefault("name", f"Kaunter {code}")
    kw.setdefault("kind", "counter")
    point = ServicePoint(agency_id=agency.id, code=code, **kw)
    db.session.add(point)
    db.session.flush()
    return point


def gen_rating(point: ServicePoint, score: int = 2, comment: str | None = "Lambat", **kw):
    kw.setdefault("device_hash", "d" * 64)
    kw.setdefault("created_at", utcnow())
    rating = Rating(service_point_id=point.id, score=score, comment=comment, **kw)
    db.session.add(rating)
    db.session.flush()
    return rating


def quality_rows(agency: Agency, tag: str, manager, ticket) -> dict[str, int]:
    """One of each service-quality row for the tenant matrix (``tests/web/tenant_world.py``),
    every name carrying the agency's tag; their ids by ``ARGS`` key."""
    point = gen_service_point(agency, code=f"kaunter-{tag.lower()}", name=f"Kaunter {tag}")
    rating = gen_rating(point, score=1, comment=f"Lambat {tag}")
    checklist = gen_checklist(agency, name=f"Senarai {tag}")
    exercise = gen_exercise(checklist, [point], name=f"Latihan {tag}", findings=f"Dapatan {tag}")
    shopper, _token = gen_shopper(exercise, name=f"Pembeli {tag}")
    visit = Visit(exercise_id=exercise.id, shopper_id=shopper.id, service_point_id=point.id,
                  submission_id=str(uuid.uuid4()), visited_at=utcnow(), place=f"Tempat {tag}",
                  answers={"q1": True, "q13": f"Ulasan {tag}"})  # fmt: skip
    action = Action(exercise_id=exercise.id, description=f"Tindakan {tag}", owner_id=manager.id,
                    due_on=dt.date(2026, 7, 1), service_point_id=point.id)  # fmt: skip
    study = Study(checklist_id=checklist.id, year=2026, sample_size=10)
    db.session.add_all([visit, action, study])
    db.session.flush()
    db.session.add(
        StudyInvitation(
            study_id=study.id,
            ticket_id=ticket.id,
            token_hash=tag * 4,
            answers={"q13": f"Jawapan {tag}"},
            answered_at=utcnow(),
        )
    )
    db.session.flush()
    return {"service_point": point.id, "rating": rating.id, "checklist": checklist.id,
            "exercise": exercise.id, "action": action.id, "study": study.id}  # fmt: skip


def gen_checklist(agency: Agency, name: str = "Senarai 8S") -> Checklist:
    from aduan.services.admin import common as f
    from aduan.services.quality.checklists import TEMPLATE_8S, parse

    errors: f.Errors = {}
    checklist = Checklist(agency_id=agency.id, name=name, items=parse(TEMPLATE_8S, errors))
    assert not errors
    db.session.add(checklist)
    db.session.flush()
    return checklist


def gen_exercise(checklist: Checklist, points, days_back: int = 3, days_on: int = 3, **kw):
    today = dt.datetime.now(local_zone()).date()
    kw.setdefault("name", "Latihan Kaunter")
    kw.setdefault("objective", "Menilai amalan 8S di kaunter")
    exercise = Exercise(
        checklist_id=checklist.id, service_point_ids=[p.id for p in points],
        starts_on=today - dt.timedelta(days=days_back),
        ends_on=today + dt.timedelta(days=days_on), **kw,
    )  # fmt: skip
    db.session.add(exercise)
    db.session.flush()
    return exercise


def gen_shopper(exercise: Exercise, name: str = "Puan Salmah") -> tuple[Shopper, str]:
    token = secrets.token_urlsafe(24)
    shopper = Shopper(
        exercise_id=exercise.id, name=name, token_hash=hashlib.sha256(token.encode()).hexdigest(),
        expires_at=utcnow() + dt.timedelta(days=7),
    )  # fmt: skip
    db.session.add(shopper)
    db.session.flush()
    return shopper, token
