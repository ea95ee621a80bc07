"""The action plan of an exercise: what will be done, by whom, by when — tracked to done."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from aduan.extensions import db
from aduan.models import Officer
from aduan.models.base import utcnow
from aduan.models.quality import Action, Exercise, ServicePoint
from aduan.services import tenancy
from aduan.services.admin import common as f

NOT_IN_PLAN = _l("Choose one of the exercise's service points.")


def list_for(exercise: Exercise) -> list[Action]:
    """The exercise's actions: open ones first, by due date."""
    query = db.select(Action).where(Action.exercise_id == exercise.id)
    query = query.order_by(Action.done_at.is_not(None), Action.due_on, Action.id)
    return list(db.session.scalars(query))


def create(officer: Officer, exercise: Exercise, form: Mapping) -> Action:
    """Add an action with its owner (an officer of the agency) and due date (audited)."""
    errors: f.Errors = {}
    description = f.text(form, "description", errors, max_len=2000)
    owner = tenancy.get_scoped(Officer, form.get("owner_id"), officer.agency_id)
    if owner is None or not owner.active:
        f.add(errors, "owner_id", f.BAD_CHOICE)
    due = f.date(form, "due_on", errors)
    point_id = _point(form.get("service_point_id"), exercise, officer.agency_id, errors)
    f.fail_if(errors)
    action = Action(exercise_id=exercise.id, description=description, owner_id=owner.id,
                    due_on=due, service_point_id=point_id)  # fmt: skip
    db.session.add(action)
    db.session.flush()
    f.audit(officer, "quality_action", action.id, "create", None,
            {"description": description, "owner_id": owner.id, "due_on": due})  # fmt: skip
    return action


def _point(raw, exercise: Exercise, agency_id: int, errors: f.Errors) -> int | None:
    if raw in (None, "", "0"):
        return None
    point = tenancy.get_scoped(ServicePoint, raw, agency_id)
    if point is None or point.id not in (exercise.service_point_ids or []):
        f.add(errors, "service_point_id", NOT_IN_PLAN)
        return None
    return point.id


def mark_done(officer: Officer, action: Action) -> None:
    """Record the action as done now (once; audited)."""
    if action.done_at is None:
        action.done_at = utcnow()
        f.audit(officer, "quality_action", action.id, "done", None, {"done": True})
