"""Staff pages: the yearly satisfaction study — plan it, send it, read its results."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from aduan.extensions import db
from aduan.models.quality import Study
from aduan.services.admin.common import own
from aduan.services.quality import checklists, study
from aduan.services.sla.clock import local_now
from aduan.web.admin.forms import Field, handle
from aduan.web.admin.org import _me
from aduan.web.auth_session import roles_required
from aduan.web.quality.blueprint import MANAGERS, bp


@bp.get("/kajian")
@roles_required(*MANAGERS)
def studies_page():
    return render_template("quality/studies.html", rows=study.list_for(current_user.agency_id))


def _fields() -> list[Field]:
    lists = [(c.id, c.name) for c in checklists.list_for(current_user.agency_id)]
    return [
        Field("checklist_id", _("Checklist"), "select", lists, required=True),
        Field("year", _("Complainants of the year"), "number", required=True),
        Field("sample_size", _("Sample size"), "number", required=True),
    ]


@bp.route("/kajian/baru", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def study_new():
    return handle(
        "admin/form.html", lambda form: study.create(_me(), form),
        lambda saved: url_for("quality.study_page", study_id=saved.id),
        {"year": local_now().year - 1, "sample_size": 200}, fields=_fields(),
        title=_("New satisfaction study"),
    )  # fmt: skip


@bp.get("/kajian/<int:study_id>")
@roles_required(*MANAGERS)
def study_page(study_id: int):
    row = own(Study, study_id, current_user.agency_id)
    return render_template("quality/study.html", study=row, result=study.results(row))


@bp.post("/kajian/<int:study_id>/hantar")
@roles_required(*MANAGERS)
def study_send(study_id: int):
    row = own(Study, study_id, current_user.agency_id)
    count = study.send(row)
    db.session.commit()
    flash(_("%(count)s invitations sent.", count=count), "success")
    return redirect(url_for("quality.study_page", study_id=row.id), code=303)
