"""The dashboard as rows — CSV and XLSX (openpyxl) — for the same scopes and period.

One row per figure: agency, section, breakdown, item, measure, value (and the previous
period's value). The figures come from the rollups, so an export is as quick as the page and
is written in the request; a CSV opens in a spreadsheet in either language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask_babel import gettext as _

from aduan.services.reports.dashboard import Part, label
from aduan.services.reports.figures import BREAKDOWNS, PROMISES
from aduan.services.reports.scope import Period

VOLUME = ("received", "resolved", "closed", "reopened", "merged", "referred")
RECOVERY = (
    "breach_ack", "breach_first", "breach_resolve", "breach_l1", "breach_l2", "breach_l3",
    "apologies", "recovered",
)  # fmt: skip
SATISFACTION = ("surveys", "responses", "rating_1", "rating_2", "rating_3", "rating_4", "rating_5",
                "comments", "objections")  # fmt: skip
BOOK = ("open", "overdue", "due_this_week", "waiting", "age_0", "age_6", "age_16", "age_31",
        "age_91")  # fmt: skip


def header() -> list[str]:
    """The column names of every export."""
    return [_("Agency"), _("Section"), _("Breakdown"), _("Item"), _("Measure"), _("Value"),
            _("Previous period")]  # fmt: skip


def rows(parts: list[Part], period: Period, locale: str = "ms") -> Iterator[list]:
    """Every figure of every part, one row each."""
    for part in parts:
        name = part.scope.agency_name
        before = part.before
        for measure in VOLUME + RECOVERY + SATISFACTION:
            previous = before.totals[measure] if before else ""
            yield [name, "total", "", "", measure, part.now.totals[measure], previous]
        yield [name, "satisfaction", "", "", "average_rating", part.now.average_rating or "",
               (before.average_rating or "") if before else ""]  # fmt: skip
        for promise in PROMISES:
            share = part.now.compliance[promise]
            old = before.compliance[promise] if before else None
            for kind in ("met", "judged", "percent"):
                value = getattr(share, kind)
                previous = getattr(old, kind) if old else ""
                yield [name, "compliance", "", "", f"{promise}_{kind}", _blank(value),
                       _blank(previous)]  # fmt: skip
        for breakdown in BREAKDOWNS:
            for key, counts in sorted(part.now.by[breakdown].items(), key=lambda kv: str(kv[0])):
                item = label(part, breakdown, key, locale)
                for measure in ("received", "resolved"):
                    yield [name, "volume", breakdown, item, measure, counts[measure], ""]
                for promise in PROMISES:
                    share = counts["shares"][promise]
                    yield [name, "compliance", breakdown, item, f"{promise}_met", share.met, ""]
                    yield [name, "compliance", breakdown, item, f"{promise}_judged",
                           share.judged, ""]  # fmt: skip
        for measure in BOOK:
            yield [name, "open_book", "", "", measure, part.book[measure], ""]


def _blank(value):
    return "" if value is None else value


def as_csv(parts: list[Part], period: Period, locale: str = "ms") -> str:
    """The export as CSV text (UTF-8 with a byte-order mark, so spreadsheets read the Malay
    and the names right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header())
    writer.writerows(rows(parts, period, locale))
    return "\ufeff" + out.getvalue()


def as_xlsx(parts: list[Part], period: Period, locale: str = "ms") -> bytes:
    """The export as an XLSX workbook: one sheet of every figure, the period in its title."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"{period.start:%Y-%m-%d}..{period.end:%Y-%m-%d}"[:31])
    sheet.append(header())
    for row in rows(parts, period, locale):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
