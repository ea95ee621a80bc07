"""Staff page: the agency's service-quality figures with their trend per month."""

from __future__ import annotations

import datetime as dt

from flask import render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from aduan.services.quality import figures as quality
from aduan.services.reports.charts import line
from aduan.services.sla.clock import local_today
from aduan.web.auth_session import roles_required
from aduan.web.quality.blueprint import MANAGERS, bp


def _month(raw: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{raw}-01") if raw else default
    except ValueError:
        return default


def _period() -> tuple[dt.date, dt.date]:
    """``?dari=YYYY-MM&hingga=YYYY-MM`` (months, both included); default the last 12."""
    this_month = local_today().replace(day=1)
    first = _month(request.args.get("dari"), (this_month - dt.timedelta(days=335)).replace(day=1))
    last = _month(request.args.get("hingga"), this_month)
    if last < first:
        first, last = last, first
    end = (last + dt.timedelta(days=32)).replace(day=1)
    return first, end


@bp.get("/angka")
@roles_required(*MANAGERS)
def figures_page():
    start, end = _period()
    found = quality.quality_figures(current_user.agency_id, start, end)
    labels = [format_date(m.month, "MMM yy") for m in found.trend]
    charts = {
        "rating": line(_("Mean counter rating by month (1–5)"), labels,
                       [m.mean_rating for m in found.trend], 1, 5),
        "visits": line(_("Mystery-shopping score by month (%)"), labels,
                       [m.visit_score for m in found.trend], 0, 100, colour="#b35c00"),
    }  # fmt: skip
    return render_template("quality/figures.html", figures=found, charts=charts,
                           labels=labels, start=start, last=end - dt.timedelta(days=1))  # fmt: skip
