"""``/exports``: ask (a queue, the BPA return), watch the progress, download (thin views)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from aduan.errors import NotFound, PermissionDenied, ValidationFailed
from aduan.extensions import db
from aduan.models import Agency, Officer
from aduan.services.exports import bpa_return, files, queue_rows, requests
from aduan.services.exports.writers import CONTENT_TYPES
from aduan.services.inbox import queries
from aduan.services.inbox.notifications import unread_count
from aduan.services.sla.clock import local_today
from aduan.web.auth_session import roles_required
from aduan.web.inbox.queues import filters_from

bp = Blueprint("exports", __name__, url_prefix="/exports")
STAFF = ("officer", "supervisor", "complaint_manager", "admin")
BPA_ROLES = ("complaint_manager", "admin", "platform_admin")
# The inbox's query string: what a refused queue export sends the officer back with.
FILTER_ARGS = ("queue", "status", "type", "category", "channel", "state", "from", "to",
               "priority", "q")  # fmt: skip


def _me() -> Officer:
    return current_user._get_current_object()


@bp.context_processor
def layout_context() -> dict:
    """What ``inbox/layout.html`` expects (queue names, unread count)."""
    if not current_user.is_authenticated:
        return {}
    return {"queue_names": queries.QUEUES, "unread_notifications": unread_count(current_user)}


@bp.post("/queue")
@roles_required(*STAFF)
def queue_export():
    """Export the queue the officer is looking at, with its filters and search."""
    queue = request.form.get("queue", queries.DEFAULT_QUEUE)
    if queue not in queries.QUEUES:
        queue = queries.DEFAULT_QUEUE
    params = queue_rows.params_of(queue, filters_from(request.form))
    try:
        export = requests.create(_me(), "queue", request.form.get("format", ""), params)
    except ValidationFailed as exc:
        flash(exc.message, "error")
        back = {k: v for k, v in request.form.items() if k in FILTER_ARGS and v}
        return redirect(url_for("inbox.inbox", **back), code=303)
    return redirect(url_for("exports.progress_page", export_id=export.id), code=303)


@bp.get("")
@roles_required(*STAFF, "platform_admin")
def index():
    return render_template("exports/index.html", exports=requests.list_for(_me()), label=_label)


@bp.route("/bpa", methods=["GET", "POST"])
@roles_required(*BPA_ROLES)
def bpa():
    """The monthly return to the Public Complaints Bureau: the manager's own agency (a platform
    administrator chooses any)."""
    me, errors = _me(), {}
    form = request.form if request.method == "POST" else request.args
    if request.method == "POST":
        try:
            agency_id = _bpa_agency(me, form.get("agency"))
            month = bpa_return.parse_month(form.get("month"), local_today())
            export = requests.create(
                me, "bpa_return", form.get("format", ""), {"month": month.label()}, agency_id
            )
            return redirect(url_for("exports.progress_page", export_id=export.id), code=303)
        except ValidationFailed as exc:
            errors = exc.errors
    agencies = db.session.scalars(db.select(Agency).order_by(Agency.name)).all()
    status = 422 if errors else 200
    default_month = f"{local_today():%Y-%m}"
    return render_template(
        "exports/bpa.html", errors=errors, form=form, default_month=default_month,
        agencies=agencies if me.platform_admin else [], layout=bpa_return.BPA_CATEGORIES,
    ), status  # fmt: skip


def _bpa_agency(me: Officer, raw: str | None) -> int:
    """The agency of the return: the officer's own; a platform administrator's choice."""
    if not me.platform_admin:
        if not (me.has_role("complaint_manager") or me.has_role("admin")):
            raise PermissionDenied("your role does not allow this")
        return me.agency_id
    if not raw:
        return me.agency_id
    agency = db.session.get(Agency, int(raw)) if str(raw).isdigit() and len(raw) < 18 else None
    if agency is None:
        message = _("Choose an agency.")
        raise ValidationFailed(message, errors={"agency": [message]})
    return agency.id


@bp.get("/<int:export_id>")
@roles_required(*STAFF, "platform_admin")
def progress_page(export_id: int):
    export = requests.get_for(_me(), export_id)
    return render_template("exports/progress.html", export=export, label=_label,
                           percent=requests.percent(export))  # fmt: skip


@bp.get("/<int:export_id>/progress")
@roles_required(*STAFF, "platform_admin")
def progress_fragment(export_id: int):
    export = requests.get_for(_me(), export_id)
    return render_template("exports/_progress.html", export=export, label=_label,
                           percent=requests.percent(export))  # fmt: skip


@bp.get("/<int:export_id>/download")
@roles_required(*STAFF, "platform_admin")
def download(export_id: int):
    export = requests.get_for(_me(), export_id)
    if export.state != requests.READY or not export.stored_as:
        raise NotFound("the file is not ready or has expired")
    try:
        path = files.path_of(export.stored_as)
        handle = path.open("rb")
    except OSError:
        raise NotFound("the file is missing")
    return send_file(
        handle,
        mimetype=CONTENT_TYPES[export.format],
        as_attachment=True,
        download_name=export.file_name or path.name,
        max_age=0,
    )


def _label(export) -> str:
    """What the export is, in the reader's language."""
    if export.kind == "queue":
        return _("Queue %(queue)s", queue=export.params.get("queue", ""))
    if export.kind == "bpa_return":
        return _("BPA monthly return %(month)s", month=export.params.get("month", ""))
    return _("Audit log")
