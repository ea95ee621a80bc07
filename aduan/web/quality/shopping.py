"""Staff pages: checklists, mystery-shopping exercises, their shoppers, analysis and actions."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Agency, Officer
from aduan.models.quality import Action, Checklist, Exercise
from aduan.services.admin.common import own
from aduan.services.quality import actions, analysis, checklists, exercises, service_points
from aduan.web.admin.forms import Field, handle
from aduan.web.admin.org import _me
from aduan.web.auth_session import roles_required
from aduan.web.quality.blueprint import MANAGERS, bp

FORM = "admin/form.html"


def _checklist_fields() -> list[Field]:
    return [
        Field("name", _("Name"), required=True),
        Field("items", _("Questions"), "textarea", required=True,
              hint=_("One question a line: Section | kind | question in BM | question in EN | "
                     "limit. Kinds: yesno, scale (1–5), seconds (limit: the standard), text.")),
    ]  # fmt: skip


@bp.get("/senarai-semak")
@roles_required(*MANAGERS)
def checklists_page():
    rows = checklists.list_for(current_user.agency_id)
    return render_template("quality/checklists.html", rows=rows)


@bp.route("/senarai-semak/baru", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def checklist_new():
    return handle(
        FORM, lambda form: checklists.save(_me(), form), url_for("quality.checklists_page"),
        checklists.values(None), fields=_checklist_fields(), title=_("New checklist"),
    )  # fmt: skip


@bp.route("/senarai-semak/<int:checklist_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def checklist_edit(checklist_id: int):
    row = own(Checklist, checklist_id, current_user.agency_id)
    return handle(
        FORM, lambda form: checklists.save(_me(), form, row), url_for("quality.checklists_page"),
        checklists.values(row), fields=_checklist_fields(), title=_("Edit checklist"),
    )  # fmt: skip


@bp.get("/latihan")
@roles_required(*MANAGERS)
def exercises_page():
    rows = exercises.list_for(current_user.agency_id)
    return render_template("quality/exercises.html", rows=rows)


def _exercise_fields() -> list[Field]:
    agency_id = current_user.agency_id
    points = [(p.id, p.name) for p in service_points.list_for(agency_id, active_only=True)]
    lists = [(c.id, c.name) for c in checklists.list_for(agency_id)]
    return [
        Field("name", _("Name"), required=True),
        Field("objective", _("Objective"), "textarea", required=True),
        Field("checklist_id", _("Checklist"), "select", lists, required=True),
        Field("service_point_ids", _("Service points"), "multi", points, required=True),
        Field("starts_on", _("First day"), "date", required=True),
        Field("ends_on", _("Last day"), "date", required=True),
    ]  # fmt: skip


@bp.route("/latihan/baru", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def exercise_new():
    return handle(
        FORM, lambda form: exercises.save(_me(), form),
        lambda saved: url_for("quality.exercise_page", exercise_id=saved.id), {},
        fields=_exercise_fields(), title=_("New mystery-shopping exercise"),
    )  # fmt: skip


def _exercise(exercise_id: int) -> Exercise:
    return own(Exercise, exercise_id, current_user.agency_id)


def _page(exercise: Exercise, status: int = 200, **context):
    officers = db.session.scalars(
        db.select(Officer)
        .where(Officer.agency_id == current_user.agency_id, Officer.active.is_(True))
        .order_by(Officer.name)
    )
    agency = db.session.get(Agency, current_user.agency_id)
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return render_template(
        "quality/exercise.html", exercise=exercise, result=analysis.analyse(exercise),
        shoppers=exercises.shoppers_of(exercise), actions=actions.list_for(exercise),
        officers=list(officers), agency=agency, **context,
    ), status  # fmt: skip


@bp.get("/latihan/<int:exercise_id>")
@roles_required(*MANAGERS)
def exercise_page(exercise_id: int):
    return _page(_exercise(exercise_id))


@bp.post("/latihan/<int:exercise_id>/pembeli")
@roles_required(*MANAGERS)
def exercise_shopper(exercise_id: int):
    exercise = _exercise(exercise_id)
    try:
        shopper, token = exercises.appoint(_me(), exercise, request.form)
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(exercise, 422, errors=exc.errors, values=request.form)
    db.session.commit()
    code = db.session.get(Agency, current_user.agency_id).code
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    link = base + url_for("public.shopper_form", agency_code=code, token=token)
    return _page(exercise, new_link=(shopper, link))


@bp.post("/latihan/<int:exercise_id>/dapatan")
@roles_required(*MANAGERS)
def exercise_findings(exercise_id: int):
    exercise = _exercise(exercise_id)
    try:
        exercises.save_findings(_me(), exercise, request.form)
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(exercise, 422, errors=exc.errors, values=request.form)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("quality.exercise_page", exercise_id=exercise.id), code=303)


@bp.post("/latihan/<int:exercise_id>/tindakan")
@roles_required(*MANAGERS)
def exercise_action(exercise_id: int):
    exercise = _exercise(exercise_id)
    try:
        actions.create(_me(), exercise, request.form)
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(exercise, 422, errors=exc.errors, values=request.form)
    db.session.commit()
    flash(_("Action added to the plan."), "success")
    return redirect(url_for("quality.exercise_page", exercise_id=exercise.id), code=303)


@bp.post("/tindakan/<int:action_id>/selesai")
@roles_required(*MANAGERS)
def action_done(action_id: int):
    action = own(Action, action_id, current_user.agency_id)
    actions.mark_done(_me(), action)
    db.session.commit()
    flash(_("Action marked done."), "success")
    return redirect(url_for("quality.exercise_page", exercise_id=action.exercise_id), code=303)
