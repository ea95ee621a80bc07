"""Officer actions beside the queues: bulk actions, counter/phone entry, notifications.

Shares the ``/inbox`` prefix and ``inbox/layout.html`` with the inbox blueprint; tickets are
always reached through ``aduan.services.tickets.access`` (scope) inside the services.
"""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Officer, officer_units
from aduan.services.admin.common import add
from aduan.services.inbox import bulk, preferences, saved_views
from aduan.services.inbox import notifications as officer_notifications
from aduan.services.intake import counter_entry
from aduan.services.sla.working_calendar import STATES
from aduan.services.tickets.access import is_agency_wide, unit_ids_in_scope
from aduan.vocabulary import PriorityGroup, TicketStatus, TicketType
from aduan.web.auth_session import roles_required
from aduan.web.inbox import receipt
from aduan.web.public.uploads import MAX_FILES, UploadRefused, read_uploads

bp = Blueprint("inbox_actions", __name__, url_prefix="/inbox")
STAFF = ("officer", "supervisor", "complaint_manager", "admin")
_SPLIT = re.compile(r"[\s,;]+")


def _me() -> Officer:
    return current_user._get_current_object()


@bp.context_processor
def layout_context() -> dict:
    """What ``inbox/layout.html`` expects (queue names, unread count)."""
    if not current_user.is_authenticated:
        return {}
    from aduan.services.inbox.queries import QUEUES

    return {
        "queue_names": QUEUES,
        "unread_notifications": officer_notifications.unread_count(current_user),
    }


@bp.route("/bulk", methods=["GET", "POST"])
@roles_required(*STAFF)
def bulk_action():
    if request.method == "GET":
        return _bulk_page({}, None)
    form = request.form
    references = form.getlist("tickets") + _SPLIT.split(form.get("references") or "")
    references = [r for r in references if r.strip()]
    versions = {r: int(v) for r in references if (v := form.get(f"version_{r}", "")).isdigit()}
    try:
        report = bulk.apply(
            _me(), form.get("action", ""), references,
            assignee_id=int(form["assignee_id"]) if form.get("assignee_id", "").isdigit() else None,
            status=form.get("status") or None, reason=form.get("reason") or None,
            note=form.get("note") or None, versions=versions,
        )  # fmt: skip
    except ValidationFailed as exc:
        return _bulk_page(exc.errors, None), 422
    return _bulk_page({}, report), 200 if report.applied else 409


def _bulk_page(errors: dict, report: bulk.BulkReport | None):
    locale = str(get_locale() or "ms")
    return render_template(
        "inbox/bulk.html",
        values=request.form,
        errors=errors,
        report=report,
        statuses=[(s.value, s.label(locale)) for s in TicketStatus],
        assignees=_assignees(),
    )


def _assignees() -> list[Officer]:
    """Active officers of the units the signed-in officer can see (the whole agency if wide)."""
    query = db.select(Officer).where(
        Officer.agency_id == current_user.agency_id, Officer.active.is_(True)
    )
    if not is_agency_wide(current_user):
        units = unit_ids_in_scope(current_user)
        query = query.join(officer_units, officer_units.c.officer_id == Officer.id).where(
            officer_units.c.unit_id.in_(units)
        )
    return list(db.session.scalars(query.distinct().order_by(Officer.name)))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_entry():
    if request.method == "GET":
        values = {"entry_id": counter_entry.new_entry_id(), "channel": "counter"}
        return _entry_page(values, {})
    try:
        uploads = read_uploads(request.files.getlist("files"))
        result = counter_entry.record(_me(), request.form, uploads)
    except UploadRefused as exc:
        return _entry_page(request.form, {"files": [str(exc)]}, 422)
    except ValidationFailed as exc:
        db.session.rollback()
        return _entry_page(request.form, exc.errors, 422)
    if result.ticket is None:
        errors: dict = {}
        add(errors, "_form", _("The complaint was saved but could not be opened as a ticket yet."))
        return _entry_page(request.form, errors, 409)
    if not result.created:  # a second submit of the same form: the ticket, no second slip
        return redirect(url_for("inbox.ticket_page", reference=result.ticket.reference), code=303)
    flash(_("Complaint recorded: %(reference)s", reference=result.ticket.reference), "success")
    return render_template("inbox/receipt.html", ticket=result.ticket,
                           slip=receipt.slip(result.ticket, result.pin))  # fmt: skip


def _entry_page(values, errors: dict, status: int = 200):
    locale = str(get_locale() or "ms")
    return render_template(
        "inbox/new_entry.html", values=values, errors=errors,
        categories=counter_entry.categories(_me().agency_id),
        types=[(t.value, t.label(locale)) for t in TicketType],
        states=[(code, name) for code, (_abbrev, name) in STATES.items()],
        priorities=[(p.value, p.label(locale)) for p in PriorityGroup], locale=locale,
        max_files=MAX_FILES,
    ), status  # fmt: skip


@bp.get("/notifications")
@roles_required(*STAFF)
def notifications():
    before = request.args.get("before", "")
    groups, older = officer_notifications.grouped(
        _me(), int(before) if before.isdigit() and len(before) < 18 else None
    )
    return render_template("inbox/notifications.html", groups=groups, older=older)


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@roles_required(*STAFF)
def notification_preferences():
    if request.method == "POST":
        form = request.form
        preferences.save(
            _me(), in_app="in_app" in form, email="email" in form, digest="digest" in form
        )
        db.session.commit()
        flash(_("Notification preferences saved."), "success")
        return redirect(url_for("inbox_actions.notification_preferences"), code=303)
    return render_template("inbox/notification_preferences.html", choice=preferences.of(_me()))


@bp.get("/notifications/count")
@roles_required(*STAFF)
def notifications_count():
    """The unread count as a small fragment (for htmx polling in the layout)."""
    count = officer_notifications.unread_count(_me())
    return render_template("inbox/_notification_count.html", count=count)


@bp.post("/notifications/<int:notification_id>/read")
@roles_required(*STAFF)
def notification_read(notification_id: int):
    officer_notifications.mark_read(_me(), notification_id)
    db.session.commit()
    return redirect(url_for("inbox_actions.notifications"), code=303)


@bp.post("/notifications/read-all")
@roles_required(*STAFF)
def notifications_read_all():
    officer_notifications.mark_all_read(_me())
    db.session.commit()
    flash(_("All notifications marked as read."), "success")
    return redirect(url_for("inbox_actions.notifications"), code=303)


@bp.post("/views")
@roles_required(*STAFF)
def saved_view_new():
    """Save the inbox as the officer sees it now (its query string) under a name."""
    try:
        view = saved_views.save(_me(), request.form.get("name", ""), request.form.get("query", ""))
    except ValidationFailed as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("inbox.inbox"), code=303)
    db.session.commit()
    flash(_("View saved."), "success")
    return redirect(saved_views.url(view), code=303)


@bp.post("/views/<int:view_id>/delete")
@roles_required(*STAFF)
def saved_view_delete(view_id: int):
    saved_views.delete(_me(), view_id)
    db.session.commit()
    flash(_("View deleted."), "success")
    return redirect(url_for("inbox.inbox"), code=303)
