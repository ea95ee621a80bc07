"""The agency's logo for its public pages (Admin → Agency settings → Logo)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Agency
from aduan.services.admin import agency_logo
from aduan.web.admin.blueprint import bp
from aduan.web.auth_session import roles_required


@bp.route("/agency/logo", methods=["GET", "POST"])
@roles_required("admin")
def agency_logo_page():
    errors: dict = {}
    if request.method == "POST":
        upload = request.files.get("logo")
        try:
            if request.form.get("remove"):
                agency_logo.remove_logo(current_user)
            else:
                agency_logo.save_logo(current_user, upload.read() if upload else b"")
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.agency_logo_page"), code=303)
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.errors
    agency = db.session.get(Agency, current_user.agency_id)
    status = 422 if errors else 200
    logo = agency_logo.logo_of(agency)
    return render_template("admin/logo.html", agency=agency, logo=logo, errors=errors), status
