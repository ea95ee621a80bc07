"""``/reports``: the dashboard in the officer layout and its exports (thin views over
``aduan.services.reports``)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_babel import get_locale
from flask_login import current_user

from aduan.errors import ValidationFailed
from aduan.services.reports import charts, dashboard, exports, figures, pdf, scope
from aduan.vocabulary import Role
from aduan.web.inbox.blueprint import inbox_context, officer_required

bp = Blueprint("reports", __name__)
bp.context_processor(inbox_context)


def register(app) -> None:
    """Attach the reports blueprint."""
    app.register_blueprint(bp)


def _request_parts():
    officer = current_user._get_current_object()
    scopes = scope.scopes_for(officer)
    error = None
    try:
        period = scope.period_from(request.args)
    except ValidationFailed as exc:
        error, period = exc, scope.period_from({})
    compare = request.args.get("compare", "1") != "0"
    platform = officer.has_role(Role.PLATFORM_ADMIN.value)
    parts = dashboard.build(scopes, period, compare=compare, detail=not platform)
    return parts, period, compare, platform, error


@bp.get("/reports")
@officer_required
def dashboard_page():
    parts, period, compare, platform, error = _request_parts()
    locale = str(get_locale() or "ms")
    page = render_template(
        "reports/dashboard.html",
        parts=parts,
        period=period,
        compare=compare,
        platform=platform,
        error=error,
        locale=locale,
        charts=charts,
        breakdowns=figures.BREAKDOWNS,
        promises=figures.PROMISES,
        label_of=dashboard.label,
        bucketed=figures.bucketed,
    )
    return page, error.status if error else 200


@bp.get("/reports/monthly.pdf")
@officer_required
def monthly_pdf():
    officer = current_user._get_current_object()
    scopes = scope.scopes_for(officer)
    month = scope.month_from(request.args.get("month"))
    period = pdf.month_period(month)
    parts = dashboard.build(scopes, period, detail=False)
    title = scopes[0].agency_name if len(scopes) == 1 else "Aduan"
    name = f"aduan-laporan-bulanan-{month:%Y-%m}.pdf"
    return Response(
        pdf.render(parts, period, title),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@bp.get("/reports/export.<any(csv, xlsx):fmt>")
@officer_required
def export(fmt: str):
    parts, period, _compare, _platform, error = _request_parts()
    if error is not None:
        raise error
    locale = str(get_locale() or "ms")
    name = f"aduan-laporan-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        body = exports.as_csv(parts, period, locale)
        return Response(body, mimetype="text/csv; charset=utf-8", headers=disposition)
    body = exports.as_xlsx(parts, period, locale)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=xlsx, headers=disposition)
