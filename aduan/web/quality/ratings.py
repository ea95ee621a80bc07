"""Staff pages: the agency's ratings, and the one-click complaint from a low one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from aduan.models.quality import Rating
from aduan.services.admin.common import own
from aduan.services.quality import rating_tickets, ratings, service_points
from aduan.web.admin.org import _me
from aduan.web.auth_session import roles_required
from aduan.web.quality.blueprint import STAFF, bp


@bp.get("/penilaian")
@roles_required(*STAFF)
def ratings_page():
    low_only = request.args.get("rendah") == "1"
    rows = ratings.list_for(current_user.agency_id, low_only=low_only)
    points = {p.id: p for p in service_points.list_for(current_user.agency_id)}
    return render_template("quality/ratings.html", rows=rows, points=points, low_only=low_only,
                           convertible=rating_tickets.is_low_with_comment)  # fmt: skip


@bp.post("/penilaian/<int:rating_id>/aduan")
@roles_required(*STAFF)
def rating_to_ticket(rating_id: int):
    rating = own(Rating, rating_id, current_user.agency_id)
    try:
        opened = rating_tickets.open_from_rating(rating, actor=_me())
    except rating_tickets.NotLowEnough:
        flash(_("Only a low rating with a comment can become a complaint."), "error")
        return redirect(url_for("quality.ratings_page"), code=303)
    if opened.ticket is None:
        flash(_("The complaint is being opened; refresh in a moment."), "success")
        return redirect(url_for("quality.ratings_page"), code=303)
    if opened.created:
        flash(_("Complaint %(reference)s opened from this rating.",
                reference=opened.ticket.reference), "success")  # fmt: skip
    else:
        flash(_("This rating is already complaint %(reference)s.",
                reference=opened.ticket.reference), "success")  # fmt: skip
    return redirect(url_for("quality.ratings_page"), code=303)
