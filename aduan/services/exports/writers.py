"""CSV and XLSX writers that take rows one at a time and keep nothing but the current row in
memory: CSV through the ``csv`` module, XLSX through XlsxWriter in ``constant_memory`` mode
(each row is flushed to a temporary file as soon as the next begins; the archive is zipped at
the end) — about twice as fast as openpyxl's write-only workbook without lxml.

A text cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) would be
taken for a formula by a spreadsheet (CSV injection), so such cells are written with a leading
apostrophe in both formats; numbers and dates stay numbers and dates.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet should hold it: text that would start a formula gets a
    leading apostrophe; aware datetimes become naive (both formats hold local times)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def _csv_text(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


class CsvWriter:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Malay and names right."""

    def __init__(self, path: Path):
        self.handle = path.open("w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle)

    def write(self, row: Iterable[Any]) -> None:
        """Append one row."""
        self.writer.writerow([_csv_text(safe_cell(v)) for v in row])

    def close(self) -> None:
        """Finish the file."""
        self.handle.close()


class XlsxWriter:
    """One sheet, streamed: constant memory whatever the row count. Strings are never turned
    into formulas, links or numbers; dates and times are shown as ``yyyy-mm-dd hh:mm``."""

    def __init__(self, path: Path, title: str = "Eksport"):
        options = {"constant_memory": True, "strings_to_formulas": False,
                   "strings_to_urls": False, "strings_to_numbers": False}  # fmt: skip
        self.workbook = xlsxwriter.Workbook(str(path), options)
        self.sheet = self.workbook.add_worksheet(title[:31])
        self.moment = self.workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.day = self.workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.row = 0

    def write(self, row: Iterable[Any]) -> None:
        """Append one row."""
        for column, value in enumerate(row):
            value = safe_cell(value)
            if isinstance(value, dt.datetime):
                self.sheet.write_datetime(self.row, column, value, self.moment)
            elif isinstance(value, dt.date):
                self.sheet.write_datetime(self.row, column, value, self.day)
            elif value is not None:
                self.sheet.write(self.row, column, value)
        self.row += 1

    def close(self) -> None:
        """Write the archive."""
        self.workbook.close()


def open_writer(fmt: str, path: Path, title: str = "Eksport") -> CsvWriter | XlsxWriter:
    """A writer of ``fmt`` (``csv`` or ``xlsx``) to ``path``."""
    if fmt == "xlsx":
        return XlsxWriter(path, title)
    return CsvWriter(path)
