"""CSV and XLSX writers that take rows one at a time and keep nothing but the current row in
memory: CSV through the ``csv`` module, XLSX through openpyxl's write-only workbook (rows go
to a temporary file as they come, the archive is written at the end).

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

from openpyxl import Workbook

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
    """One sheet, streamed (openpyxl ``write_only``): constant memory whatever the row count."""

    def __init__(self, path: Path, title: str = "Eksport"):
        self.path = path
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(title=title[:31])

    def write(self, row: Iterable[Any]) -> None:
        """Append one row."""
        self.sheet.append([safe_cell(v) for v in row])

    def close(self) -> None:
        """Write the archive."""
        self.workbook.save(self.path)


def open_writer(fmt: str, path: Path, title: str = "Eksport") -> CsvWriter | XlsxWriter:
    """A writer of ``fmt`` (``csv`` or ``xlsx``) to ``path``."""
    if fmt == "xlsx":
        return XlsxWriter(path, title)
    return CsvWriter(path)
