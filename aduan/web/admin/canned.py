"""Admin pages for canned responses (shown in the reply form of the ticket page)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from aduan.extensions import db
from aduan.languages import NATIVE_NAMES
from aduan.models.access import CannedResponse
from aduan.services.admin import canned as admin_canned
from aduan.services.admin.common import own
from aduan.web.admin.blueprint import bp
from aduan.web.admin.forms import Field, handle
from aduan.web.admin.org import FORM, _me
from aduan.web.auth_session import roles_required


@bp.get("/canned-responses")
@roles_required("admin")
def canned_responses():
    rows = admin_canned.list_for(current_user.agency_id)
    return render_template("admin/canned_responses.html", rows=rows)


def _fields() -> list[Field]:
    languages = list(NATIVE_NAMES.items())
    return [
        Field("title", _("Title"), required=True),
        Field("language", _("Language"), "select", languages, required=True),
        Field("body", _("Text"), "textarea", required=True,
              hint=_("Officers can edit it in the reply before sending.")),
        Field("active", _("Active"), "checkbox",
              hint=_("Inactive responses are not offered in the reply form.")),
    ]  # fmt: skip


@bp.route("/canned-responses/new", methods=["GET", "POST"])
@roles_required("admin")
def canned_response_new():
    return handle(
        FORM, lambda form: admin_canned.save(_me(), form), url_for("admin.canned_responses"),
        admin_canned.values(None), fields=_fields(), title=_("New canned response"),
    )  # fmt: skip


@bp.route("/canned-responses/<int:response_id>", methods=["GET", "POST"])
@roles_required("admin")
def canned_response_edit(response_id: int):
    row = own(CannedResponse, response_id, current_user.agency_id)
    return handle(
        FORM, lambda form: admin_canned.save(_me(), form, row),
        url_for("admin.canned_responses"), admin_canned.values(row),
        fields=_fields(), title=_("Edit canned response"),
        delete_url=url_for("admin.canned_response_delete", response_id=row.id),
    )  # fmt: skip


@bp.post("/canned-responses/<int:response_id>/delete")
@roles_required("admin")
def canned_response_delete(response_id: int):
    admin_canned.delete(_me(), own(CannedResponse, response_id, current_user.agency_id))
    db.session.commit()
    flash(_("Deleted."), "success")
    return redirect(url_for("admin.canned_responses"), code=303)
