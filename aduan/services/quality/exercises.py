"""Mystery-shopping exercises: the plan (objective, service points, period, checklist), the
shoppers appointed to it and the visits they report.

A shopper needs no account: appointing one makes a random link token, shown once, stored as a
SHA-256 only and valid until the day after the exercise ends. A visit is sent by the shopper's
phone with a ``submission_id`` it made itself; the unique key on it stores a visit once
however often a phone that was offline sends it again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Officer
from aduan.models.base import utcnow
from aduan.models.quality import Checklist, Exercise, ServicePoint, Shopper, Visit
from aduan.services import tenancy
from aduan.services.admin import common as f
from aduan.services.quality import checklists
from aduan.services.sla.clock import local_zone

ENDS_BEFORE = _l("The period must end on or after its first day.")
OUTSIDE = _l("The visit must be within the exercise's period, and not in the future.")
NOT_IN_PLAN = _l("Choose one of the exercise's service points.")
LINK_GRACE = dt.timedelta(days=1)


def list_for(agency_id: int) -> list[Exercise]:
    """The agency's exercises, newest period first."""
    query = tenancy.scoped(db.select(Exercise), Exercise, agency_id)
    return list(db.session.scalars(query.order_by(Exercise.starts_on.desc(), Exercise.id)))


def save(officer: Officer, form: Mapping) -> Exercise:
    """Plan a new exercise at the officer's agency (validated, audited)."""
    errors: f.Errors = {}
    name = f.text(form, "name", errors, max_len=200)
    objective = f.text(form, "objective", errors, max_len=4000)
    checklist = tenancy.get_scoped(Checklist, form.get("checklist_id"), officer.agency_id)
    if checklist is None:
        f.add(errors, "checklist_id", f.BAD_CHOICE)
    point_ids = _points(form, officer.agency_id, errors)
    starts, ends = f.date(form, "starts_on", errors), f.date(form, "ends_on", errors)
    if starts and ends and ends < starts:
        f.add(errors, "ends_on", ENDS_BEFORE)
    f.fail_if(errors)
    exercise = Exercise(checklist_id=checklist.id, name=name, objective=objective,
                        service_point_ids=point_ids, starts_on=starts, ends_on=ends)  # fmt: skip
    db.session.add(exercise)
    db.session.flush()
    f.audit(officer, "quality_exercise", exercise.id, "create", None,
            {"name": name, "service_point_ids": point_ids})  # fmt: skip
    return exercise


def _points(form: Mapping, agency_id: int, errors: f.Errors) -> list[int]:
    raw = form.getlist("service_point_ids") if hasattr(form, "getlist") else []
    found = [tenancy.get_scoped(ServicePoint, value, agency_id) for value in raw]
    if not raw or None in found:
        f.add(errors, "service_point_ids", f.BAD_CHOICE)
        return []
    return sorted({p.id for p in found})


def points_of(exercise: Exercise) -> list[ServicePoint]:
    """The service points the exercise visits."""
    query = db.select(ServicePoint).where(ServicePoint.id.in_(exercise.service_point_ids or []))
    return list(db.session.scalars(query.order_by(ServicePoint.name)))


def save_findings(officer: Officer, exercise: Exercise, form: Mapping) -> None:
    """The exercise's written findings (audited)."""
    errors: f.Errors = {}
    text = f.text(form, "findings", errors, max_len=20_000, required=False)
    f.fail_if(errors)
    before = {"findings": exercise.findings}
    exercise.findings = text or None
    f.audit(officer, "quality_exercise", exercise.id, "findings", before, {"findings": text})


def appoint(officer: Officer, exercise: Exercise, form: Mapping) -> tuple[Shopper, str]:
    """Appoint a shopper; returns the shopper and the link token (shown once)."""
    errors: f.Errors = {}
    name = f.text(form, "shopper_name", errors, max_len=200)
    f.fail_if(errors)
    token = secrets.token_urlsafe(24)
    end = dt.datetime.combine(exercise.ends_on, dt.time(23, 59), tzinfo=local_zone())
    shopper = Shopper(exercise_id=exercise.id, name=name, token_hash=_digest(token),
                      expires_at=end.astimezone(dt.UTC) + LINK_GRACE)  # fmt: skip
    db.session.add(shopper)
    db.session.flush()
    f.audit(officer, "quality_shopper", shopper.id, "create", None, {"name": name})
    return shopper, token


def shoppers_of(exercise: Exercise) -> list[Shopper]:
    query = db.select(Shopper).where(Shopper.exercise_id == exercise.id).order_by(Shopper.id)
    return list(db.session.scalars(query))


def shopper_by_token(token: str, agency_id: int) -> Shopper | None:
    """The shopper whose link this is, at this agency, while it is valid (else None)."""
    if not token or len(token) > 100:
        return None
    shopper = db.session.scalar(db.select(Shopper).where(Shopper.token_hash == _digest(token)))
    if shopper is None or shopper.revoked_at is not None or shopper.expires_at < utcnow():
        return None
    if db.session.get(Checklist, shopper.exercise.checklist_id).agency_id != agency_id:
        return None
    return shopper


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Received:
    visit: Visit
    created: bool  # False: this submission id was received before


def submit_visit(shopper: Shopper, payload: Mapping[str, Any]) -> Received:
    """Store one visit sent by the shopper's phone (``ValidationFailed`` on bad input);
    idempotent by the phone's ``submission_id``."""
    exercise = shopper.exercise
    submission_id = str(payload.get("submission_id") or "")
    errors: f.Errors = {}
    if not _is_uuid(submission_id):
        f.add(errors, "submission_id", f.REQUIRED)
    else:
        earlier = _visit_of(submission_id)
        if earlier is not None:
            if earlier.shopper_id != shopper.id:
                raise ValidationFailed("not this shopper's", errors={"submission_id": ["?"]})
            return Received(earlier, created=False)
    point_id = payload.get("service_point_id")
    if str(point_id) not in {str(i) for i in exercise.service_point_ids or []}:
        f.add(errors, "service_point_id", NOT_IN_PLAN)
    visited_at = _visited_at(payload.get("visited_at"), exercise, errors)
    answers, wrong = checklists.clean_answers(exercise.checklist.items,
                                              payload.get("answers") or {})  # fmt: skip
    for key, messages in wrong.items():
        errors.setdefault(key, []).extend(messages)
    latitude, longitude = (
        _coordinate(payload.get("latitude"), 90),
        _coordinate(payload.get("longitude"), 180),
    )
    f.fail_if(errors)
    visit = Visit(
        exercise_id=exercise.id, shopper_id=shopper.id, service_point_id=int(point_id),
        submission_id=submission_id, visited_at=visited_at,
        place=str(payload.get("place") or "").strip()[:300] or None,
        latitude=latitude, longitude=longitude, answers=answers, received_at=utcnow(),
    )  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(visit)
            db.session.flush()
    except IntegrityError:  # the same submission, sent twice at once: the first one stands
        return Received(_visit_of(submission_id), created=False)
    db.session.commit()
    return Received(visit, created=True)


def _visit_of(submission_id: str) -> Visit | None:
    return db.session.scalar(db.select(Visit).where(Visit.submission_id == submission_id))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _visited_at(raw, exercise: Exercise, errors: f.Errors) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        f.add(errors, "visited_at", f.BAD_DATE)
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=local_zone())
    day = when.astimezone(local_zone()).date()
    if not exercise.starts_on <= day <= exercise.ends_on or when > utcnow() + dt.timedelta(
        minutes=10
    ):
        f.add(errors, "visited_at", OUTSIDE)
    return when


def _coordinate(raw, bound: int) -> float | None:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if -bound <= value <= bound else None
