"""``/admin/audit``: the settings audit log and the ticket access log, with names, phrases,
changed fields and local times, filters, pages and a CSV export (thin: the rules are in
``aduan/services/admin/audit_log.py``, the file is written by the export job)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from aduan.errors import ValidationFailed
from aduan.services.admin import audit_log as logs
from aduan.services.exports import requests as export_requests
from aduan.web.admin.blueprint import bp
from aduan.web.auth_session import roles_required

READERS = ("admin", "platform_admin")
FILTER_ARGS = ("log", "agency", "who", "what", "from", "to", "ticket")


@bp.get("/audit")
@roles_required(*READERS)
def audit_log():
    me = current_user._get_current_object()
    errors = {}
    try:
        filters = logs.parse_filters(me, request.args)
    except ValidationFailed as exc:
        errors = exc.errors
        filters = logs.parse_filters(me, {"log": request.args.get("log")})
    before = request.args.get("before", "")
    entries, next_before = logs.page(filters, int(before) if before.isdigit() else None)
    kept = {k: v for k, v in request.args.items() if k != "before" and v}
    older = url_for("admin.audit_log", **kept, before=next_before) if next_before else None
    return render_template(
        "admin/audit.html", entries=entries, older_url=older, filters=filters,
        errors=errors, args=request.args, actors=logs.actors(filters),
        whats=logs.ACCESS_ACTIONS if filters.log == "access" else logs.ENTITIES,
        agencies=logs.agencies() if me.platform_admin else [], local=logs.local,
    ), (422 if errors else 200)  # fmt: skip


@bp.post("/audit/export")
@roles_required(*READERS)
def audit_export():
    """The log as filtered, as CSV, written by the export job (progress page, then download)."""
    me = current_user._get_current_object()
    try:
        filters = logs.parse_filters(me, request.form)
    except ValidationFailed:
        keep = {k: v for k, v in request.form.items() if k in FILTER_ARGS}
        return redirect(url_for("admin.audit_log", **keep), code=303)
    export = export_requests.create(me, "audit", "csv", logs.params_of(filters))
    return redirect(url_for("exports.progress_page", export_id=export.id), code=303)
