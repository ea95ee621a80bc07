"""The monthly report as a PDF (ReportLab): the agency's name and the month in the header of
every page, page numbers in the footer, then charter compliance, volume with a chart, the open
book, service recovery and satisfaction — the dashboard's figures (``dashboard.build``) for the
previous calendar month, compared with the month before it.
"""

from __future__ import annotations

import datetime as dt
import io

from flask_babel import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from aduan.services.reports.dashboard import Part
from aduan.services.reports.figures import PROMISES, bucketed
from aduan.services.reports.scope import Period

GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef3")),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
    ]
)


def month_period(month: dt.date) -> Period:
    """The calendar month that ``month`` falls in."""
    start = month.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return Period(start, following - dt.timedelta(days=1))


def render(parts: list[Part], period: Period, title: str) -> bytes:
    """The PDF of ``parts`` over ``period``; ``title`` heads every page with the period."""
    out = io.BytesIO()
    styles = getSampleStyleSheet()
    heading = f"{title} — {period.start:%Y-%m-%d} … {period.end:%Y-%m-%d}"

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawString(18 * mm, A4[1] - 12 * mm, heading)
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, _("Page %(n)s", n=doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(out, pagesize=A4, topMargin=20 * mm, bottomMargin=18 * mm,
                            title=heading, author="Aduan")  # fmt: skip
    story = []
    for part in parts:
        story += _part(part, period, styles)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()


def _table(rows: list[list]) -> Table:
    table = Table(rows, hAlign="LEFT")
    table.setStyle(GRID)
    return table


def _part(part: Part, period: Period, styles) -> list:
    now, before = part.now, part.before
    names = {"ack": _("Acknowledged within time"), "first": _("First response within time"),
             "resolve": _("Resolved within time")}  # fmt: skip
    story = [Paragraph(part.scope.agency_name, styles["Title"])]
    story.append(Paragraph(_("Charter compliance"), styles["Heading2"]))
    rows = [[_("Promise"), _("Within time"), _("Judged"), "%", _("Previous period")]]
    for p in PROMISES:
        share = now.compliance[p]
        old = before.compliance[p].percent if before else None
        rows.append([names[p], share.met, share.judged, _pct(share.percent), _pct(old)])
    story += [_table(rows), Spacer(1, 6 * mm)]
    story.append(Paragraph(_("Volume"), styles["Heading2"]))
    volume = [("received", _("Received")), ("resolved", _("Resolved")),
              ("closed", _("Closed")), ("reopened", _("Re-opened")), ("merged", _("Merged")),
              ("referred", _("Referred"))]  # fmt: skip
    rows = [[_("Measure"), _("Value"), _("Previous period")]]
    rows += [[t, now.totals[m], before.totals[m] if before else ""] for m, t in volume]
    story += [_table(rows), Spacer(1, 4 * mm), _chart(now, period), Spacer(1, 6 * mm)]
    book = part.book
    story.append(Paragraph(_("The open book"), styles["Heading2"]))
    rows = [[_("Measure"), _("Value")], [_("Open now"), book["open"]],
            [_("Open and overdue now"), book["overdue"]],
            [_("Due this week"), book["due_this_week"]],
            [_("Paused, waiting for the complainant"), book["waiting"]]]  # fmt: skip
    story += [_table(rows), Spacer(1, 6 * mm)]
    story.append(Paragraph(_("Service recovery"), styles["Heading2"]))
    t = now.totals
    rows = [[_("Measure"), _("Value")],
            [_("Acknowledgement deadlines missed"), t["breach_ack"]],
            [_("First-response deadlines missed"), t["breach_first"]],
            [_("Resolution deadlines missed"), t["breach_resolve"]],
            [_("Apologies sent"), t["apologies"]],
            [_("Recovered within the new date"), t["recovered"]]]  # fmt: skip
    story += [_table(rows), Spacer(1, 6 * mm)]
    story.append(Paragraph(_("Satisfaction"), styles["Heading2"]))
    rows = [[_("Measure"), _("Value")], [_("Responses"), t["responses"]],
            [_("Average rating (1–5)"), now.average_rating if now.average_rating else "—"],
            [_("Objections"), t["objections"]]]  # fmt: skip
    rows += [[f"{_('Rating')} {n}", t[f"rating_{n}"]] for n in range(1, 6)]
    story += [_table(rows), Spacer(1, 8 * mm)]
    return story


def _chart(figures, period: Period) -> Drawing:
    _size, buckets = bucketed(figures.series, period)
    drawing = Drawing(170 * mm, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 10 * mm, 8 * mm, 150 * mm, 42 * mm
    chart.data = [
        [c["received"] for _d, c in buckets] or [0],
        [c["resolved"] for _d, c in buckets] or [0],
    ]
    chart.categoryAxis.categoryNames = [f"{d:%d/%m}" for d, _c in buckets] or [""]
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#1f5f8b")
    chart.bars[1].fillColor = colors.HexColor("#2e7d32")
    drawing.add(chart)
    return drawing


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"
