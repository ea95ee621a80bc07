"""The monthly report as a PDF (ReportLab): the agency's name and the month in the header of
every page, page numbers in the footer, then charter compliance, volume with a chart, the open
book, service recovery, satisfaction and, for a whole agency, service quality (counter ratings,
mystery shopping, actions, the study; per service point, and the trend over the twelve months
to the report's month as a table and two line charts) — the dashboard's figures
(``dashboard.build``) for the previous calendar month, compared with the month before it.
"""

from __future__ import annotations

import datetime as dt
import io

from flask_babel import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from aduan.services.reports.dashboard import Part, Quality
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
    if part.quality is not None:
        story += _quality(part.quality, styles)
    return story


def _quality(quality: Quality, styles) -> list:
    """The service-quality figures: the month beside the one before, per service point, and
    the trend per month as a table and two line charts."""
    now, before = quality.now, quality.before
    story = [Paragraph(_("Service quality"), styles["Heading2"])]
    measures = [("ratings", _("Counter ratings"), ""), ("mean_rating", _("Mean rating (1–5)"), ""),
                ("satisfied", _("Satisfied (4 or 5)"), "%"),
                ("low_with_comment", _("Low ratings with a comment"), ""),
                ("tickets_from_ratings", _("Complaints opened from ratings"), ""),
                ("visits", _("Mystery-shopping visits"), ""),
                ("visit_score", _("Mystery-shopping score (0–100)"), "")]  # fmt: skip
    rows = [[_("Measure"), _("Value"), _("Previous period")]]
    for key, title, suffix in measures:
        old = _num(getattr(before, key), suffix) if before else ""
        rows.append([title, _num(getattr(now, key), suffix), old])
    actions = f"{now.actions_open} / {now.actions_overdue} / {now.actions_done}"
    rows.append([_("Actions now: open / overdue / done"), actions, ""])
    rows.append([_("Satisfaction study sent in the period: year, response rate"),
                 _study(now), _study(before) if before else ""])  # fmt: skip
    story += [_table(rows), Spacer(1, 4 * mm)]
    if now.by_point:
        rows = [[_("Service point"), _("Ratings"), _("Mean rating (1–5)"), _("Low ratings"),
                 _("Visits"), _("Score")]]  # fmt: skip
        rows += [[p.name, p.ratings, _num(p.mean_rating), p.low_ratings, p.visits,
                  _num(p.visit_score)] for p in now.by_point]  # fmt: skip
        story += [Paragraph(_("By service point"), styles["Heading3"]), _table(rows)]
    story.append(Paragraph(_("Trend by month"), styles["Heading3"]))
    rows = [[_("Month"), _("Ratings"), _("Mean rating (1–5)"), _("Satisfied (4 or 5)"),
             _("Visits"), _("Score")]]  # fmt: skip
    rows += [[f"{m.month:%Y-%m}", m.ratings, _num(m.mean_rating), _num(m.satisfied, "%"),
              m.visits, _num(m.visit_score)] for m in quality.trend]  # fmt: skip
    labels = [f"{m.month:%m/%y}" for m in quality.trend]
    story += [
        _table(rows),
        Spacer(1, 3 * mm),
    ]
    lines = [(_("Mean counter rating by month (1–5)"), [m.mean_rating for m in quality.trend],
              1, 5, "#1f5f8b"),
             (_("Mystery-shopping score by month (0–100)"), [m.visit_score for m in quality.trend],
              0, 100, "#b35c00")]  # fmt: skip
    for title, values, low, high, colour in lines:
        if any(v is not None for v in values):  # ReportLab draws no line without a point
            story += [Paragraph(title, styles["Normal"]), _line(values, labels, low, high, colour)]
    story.append(Spacer(1, 8 * mm))
    return story


def _line(values: list, labels: list[str], low: float, high: float, colour: str) -> Drawing:
    drawing = Drawing(170 * mm, 38 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 10 * mm, 6 * mm, 150 * mm, 28 * mm
    chart.data = [values or [None]]
    chart.categoryAxis.categoryNames = labels or [""]
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = "Helvetica"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = low, high
    chart.lines[0].strokeColor = colors.HexColor(colour)
    chart.lines[0].strokeWidth = 1.5
    chart.lines[0].symbol = makeMarker("FilledCircle", size=4)  # a lone month shows too
    drawing.add(chart)
    return drawing


def _num(value, suffix: str = "") -> str:
    return "—" if value is None else f"{value}{suffix}"


def _study(figures) -> str:
    if not figures.study_year:
        return "—"
    return f"{figures.study_year}, {_num(figures.study_response_rate, '%')}"


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
