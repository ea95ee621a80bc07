"""What an export's source hands the job: a title, the header, how many rows to expect and
the rows in batches (a generator: nothing is read before the job asks for it)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Rows:
    """One export's content. ``preamble``: lines before the header (a return's title)."""

    title: str
    file_stem: str
    header: list[str]
    total: int
    batches: Iterator[list[list[Any]]] | Iterable[list[list[Any]]]
    preamble: list[list[Any]] = field(default_factory=list)
