"""What a block of code sends to the database: for the tests that count a step's statements
or look at their plans."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from sqlalchemy import event

from aduan.extensions import db


@dataclass(frozen=True)
class Sent:
    sql: str
    parameters: object
    many: bool  # one executemany: ``parameters`` holds a row's for each execution

    @property
    def rows(self) -> int:
        return len(self.parameters) if self.many else 1


@contextlib.contextmanager
def recorded():
    """Yield the list of every statement sent inside the block, in order (``Sent``)."""
    seen: list[Sent] = []

    def note(_conn, _cursor, statement, parameters, _context, executemany):
        seen.append(Sent(statement, parameters, executemany))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def starting(seen: list[Sent], prefix: str) -> list[Sent]:
    """The statements that begin with ``prefix``."""
    return [s for s in seen if s.sql.startswith(prefix)]
