"""A drain's group of complaints written together: one multi-row INSERT per table (issue #19).

Intake flushes as it goes so that rows exist early: the ticket with its unit and assignee,
the stored message, the acknowledgement. Done per complaint, that is an ``INSERT`` per table
and complaint. While a group of events is *gathered* (``gather``, ``intake.batch``), those
flushes wait (``flush``), and the group's rows go into the session's next flush together:
SQLAlchemy writes the rows of one table in one multi-row ``INSERT``. The rules that keep
this exact:

- A query that reads a table with pending rows (new, changed or deleted) autoflushes, as
  always: whatever it reads is written before it runs. A query of other tables only — the
  reference rows a cold cache reads: units, SLA profiles, rosters — does not (``_reads``).
  The lookups the group made in advance are the exception (below).
- Code that needs a row's id asks for it (``id_of``), which flushes when it is not yet known.
- The lookups every new complaint makes — its sender's identity, whether its message is
  already stored, its chat's bot conversation — are made for the whole group in one query
  each at its start and kept here (``keep``). Each answer is given once (``answer``): a
  second event of the same sender asks the database again, after its predecessor's rows were
  flushed. A row another transaction writes meanwhile is refused by a unique index, which
  fails the group; it is then done again the careful way, event by event.

Outside a gathered group ``flush`` flushes and ``answer`` knows nothing: the code paths are
the same, only the timing of the writes differs.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from itertools import chain
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.util import find_tables

from aduan.extensions import db

_KEY = "aduan_group_writes"


@contextmanager
def gather() -> Iterator[None]:
    """Hold intake's early flushes and keep the group's lookups until the block ends; the
    caller flushes (or commits) within it."""
    info = db.session.info
    info[_KEY] = {}
    try:
        yield
    finally:
        info.pop(_KEY, None)


def gathering() -> bool:
    return _KEY in db.session.info


def flush() -> None:
    """Flush now, unless a group is gathered (its rows go in with the group's)."""
    if not gathering():
        db.session.flush()


def id_of(row) -> int:
    """``row``'s id, flushing first when it has none yet."""
    settle(row)
    return row.id


def settle(row) -> None:
    """Flush when ``row`` is not inserted yet: its id and the foreign keys its relationships
    set (``ticket.complainant_id``) are read, or a query compares them."""
    if row is not None and inspect(row).pending:
        db.session.flush()


def keep(kind: str, answers: dict[Hashable, Any]) -> None:
    """Keep the group's answers to one kind of lookup (key -> row, or None for "none")."""
    kept = db.session.info.get(_KEY)
    if kept is not None:
        kept.setdefault(kind, {}).update(answers)


def forget(kind: str, key: Hashable) -> None:
    """Drop a kept answer the caller's own write has made stale."""
    db.session.info.get(_KEY, {}).get(kind, {}).pop(key, None)


def answer(kind: str, key: Hashable) -> tuple[bool, Any]:
    """(True, the kept answer) the first time ``key`` is asked in a gathered group, else
    (False, None): the caller queries."""
    kept = db.session.info.get(_KEY, {}).get(kind)
    if kept is None or key not in kept:
        return False, None
    return True, kept.pop(key)


@event.listens_for(Session, "do_orm_execute")
def _reads(state: ORMExecuteState) -> None:
    """In a gathered group, a SELECT of tables with nothing pending does not autoflush."""
    session = state.session
    if _KEY not in session.info or not state.is_select:
        return
    pending = {
        table
        for row in chain(session.new, session.dirty, session.deleted)
        for table in inspect(row).mapper.tables
    }
    if not pending:
        return
    read = find_tables(state.statement, include_aliases=True, include_joins=True)
    if not pending.intersection(read):
        state.update_execution_options(autoflush=False)
