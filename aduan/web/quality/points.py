"""Staff pages: service points, their poster (HTML and PDF) and kiosk link."""

from __future__ import annotations

from flask import Response, abort, flash, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from aduan.extensions import db
from aduan.models import Category, Unit
from aduan.models.quality import ServicePoint
from aduan.services.admin.common import own
from aduan.services.quality import poster, service_points
from aduan.web.admin.forms import Field, handle
from aduan.web.admin.org import _me
from aduan.web.auth_session import roles_required
from aduan.web.quality.blueprint import MANAGERS, bp

FORM = "admin/form.html"


@bp.get("/titik")
@roles_required(*MANAGERS)
def service_points_page():
    rows = service_points.list_for(current_user.agency_id)
    links = {p.id: service_points.short_link(p) for p in rows}
    return render_template("quality/points.html", rows=rows, links=links,
                           kinds=service_points.KINDS)  # fmt: skip


def _fields() -> list[Field]:
    agency_id = current_user.agency_id
    units = db.session.scalars(db.select(Unit).where(Unit.agency_id == agency_id))
    categories = db.session.scalars(db.select(Category).where(Category.agency_id == agency_id))
    none = [("", "—")]
    return [
        Field("name", _("Name"), required=True),
        Field("code", _("Short-link code"), required=True,
              hint=_("Lower-case letters, digits and hyphens: it is part of the QR code's link.")),
        Field("kind", _("Kind"), "select", [(k, str(v)) for k, v in
                                            service_points.KINDS.items()], required=True),
        Field("unit_id", _("Unit"), "select", none + [(u.id, u.name) for u in units]),
        Field("category_id", _("Category of complaints opened from ratings"), "select",
              none + [(c.id, c.name_ms) for c in categories]),
        Field("low_rating", _("Low rating (at or below)"), "select",
              [("1", "1"), ("2", "2"), ("3", "3")]),
        Field("auto_ticket", _("Open a complaint automatically from a low rating with a comment"),
              "checkbox"),
        Field("active", _("Active"), "checkbox"),
    ]  # fmt: skip


@bp.route("/titik/baru", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def service_point_new():
    return handle(
        FORM, lambda form: service_points.save(_me(), form), url_for("quality.service_points_page"),
        service_points.values(None), fields=_fields(), title=_("New service point"),
    )  # fmt: skip


@bp.route("/titik/<int:point_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def service_point_edit(point_id: int):
    point = own(ServicePoint, point_id, current_user.agency_id)
    return handle(
        FORM, lambda form: service_points.save(_me(), form, point),
        url_for("quality.service_points_page"), service_points.values(point),
        fields=_fields(), title=_("Edit service point"),
    )  # fmt: skip


def _poster_html(point: ServicePoint, inline_css: str | None = None) -> str:
    link = service_points.short_link(point)
    return render_template("quality/poster.html", point=point, link=link, inline_css=inline_css,
                           qr=poster.qr_svg(link), lines=poster.LINES)  # fmt: skip


@bp.get("/titik/<int:point_id>/poster")
@roles_required(*MANAGERS)
def service_point_poster(point_id: int):
    return _poster_html(own(ServicePoint, point_id, current_user.agency_id))


@bp.get("/titik/<int:point_id>/poster.pdf")
@roles_required(*MANAGERS)
def service_point_poster_pdf(point_id: int):
    point = own(ServicePoint, point_id, current_user.agency_id)
    try:
        pdf = poster.html_to_pdf(_poster_html(point, poster.stylesheet()))
    except poster.PosterUnavailable:
        abort(503, _("The PDF cannot be made on this server; print the poster page instead."))
    name = f"poster-{point.code}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})  # fmt: skip


@bp.post("/titik/<int:point_id>/kiosk")
@roles_required(*MANAGERS)
def service_point_kiosk(point_id: int):
    point = own(ServicePoint, point_id, current_user.agency_id)
    key = service_points.new_kiosk_key(_me(), point)
    db.session.commit()
    link = service_points.short_link(point) + "/kiosk?k=" + key
    flash(_("New kiosk link (shown once; the previous one no longer works):"), "success")
    return render_template("quality/kiosk_link.html", point=point, link=link)
