"""The cost of one complaint does not grow with the tables: the statements intake runs for a
new complaint, alone and in a drain's group written together, and their plans, are the same
with no tickets and with 100,000 — whether the statistics were taken on the empty tables
(stale) or afresh."""

import datetime as dt
import re

import pytest
import time_machine

from aduan.extensions import db
from aduan.models import Ticket
from aduan.services.intake import batch, reference_cache
from aduan.services.intake.pipeline import process_event
from bench.seed import copy_complaint, template_rows
from tests.builders_routing import gen_org
from tests.sent_sql import recorded, starting
from tests.services import intake_builders
from tests.services.intake_builders import sms_event

accounts = intake_builders.accounts
WEDNESDAY_10AM_MYT = dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.UTC)
SEEDED = 100_000
GROWING = re.compile(
    r"\b(FROM|JOIN|UPDATE|INTO) (tickets|ticket_events|messages|complainants|"
    r"contact_identities|inbound_events|outbound_messages|attachments|whatsapp_windows)\b"
)
_LITERAL = re.compile(r"'[^']*'|\b\d+(\.\d+)?\b")


@pytest.fixture
def org(db):
    agency, unit, *_ = gen_org(officers=2)
    agency.triage_unit_id = unit.id
    db.session.commit()
    return agency


def one_complaint(n: int, *, tiny_tables: bool = False) -> list[tuple[str, str]]:
    """Process one new complaint from a new sender; (statement, plan) of every statement.

    ``tiny_tables``: on tables of a page or two a sequential scan is the planner's cheapest
    plan whatever the indexes, so it is priced out (``enable_seqscan = off``): the plans show
    the index that serves each statement, which the planner must then choose by itself at
    100,000 tickets."""
    sms = sms_event(f"Longkang tersumbat nombor {n}", f"SMFLAT{n:026d}", sender=f"+6017{n:07d}")
    db.session.commit()
    with recorded() as seen:  # what the drain does for one complaint
        assert process_event(sms.id) == "processed"
    return [(s.sql, plan_of(s.sql, s.parameters, tiny_tables)) for s in seen if not s.many]


def one_group(n: int, *, tiny_tables: bool = False) -> list[tuple[str, str]]:
    """As ``one_complaint``, for a drain's group of three new complaints written together
    (``intake.batch``: its lookups read ahead, its rows inserted by one flush)."""
    ids = [
        sms_event(
            f"Longkang tersumbat {n}-{i}", f"SMGRP{n:04d}{i:023d}", sender=f"+6018{n:04d}{i:03d}"
        ).id
        for i in range(3)
    ]
    db.session.commit()
    with recorded() as seen:
        assert batch.process_group(ids) == dict.fromkeys(ids, "processed")
    assert not starting(seen, "SAVEPOINT")  # together, not the careful way
    return [(s.sql, plan_of(s.sql, s.parameters, tiny_tables)) for s in seen if not s.many]


def plan_of(statement: str, parameters, tiny_tables: bool) -> str:
    """The plan of a statement on a table that grows with the complaints ("" for the others:
    reference tables — agencies, units, officers, rosters — stay small)."""
    if not re.match(r"\s*(SELECT|UPDATE|DELETE|INSERT)", statement, re.IGNORECASE):
        return ""
    if not GROWING.search(statement):
        return ""
    with db.engine.connect() as conn:
        if tiny_tables:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = conn.exec_driver_sql(f"EXPLAIN (COSTS OFF) {statement}", parameters).all()
        conn.rollback()
    return _LITERAL.sub("?", "\n".join(r[0] for r in rows))


def seed(n: int = SEEDED) -> None:
    """Copy the first complaint's rows ``n`` times (``bench/seed.py``): complainants,
    identities, inbound events, tickets (60% open), messages and outbound rows — the tables
    intake reads. (Timeline events it only inserts into.)

    On connections of its own: a connection that has checked enough foreign keys on the empty
    tables keeps a generic plan for those checks (a sequential scan of the referenced table,
    the cheapest on a page), and the copy would check each of its rows that way."""
    db.session.commit()
    db.engine.dispose()
    copy_complaint(db.session, template_rows(db.session), n)
    db.session.commit()


def analyse() -> None:
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")


def settle_caches() -> None:
    """Take now the reference-cache drop that a change made before (the fixtures, the seeding)
    owes, instead of whenever its periodic version check falls due — which, on a slow machine,
    was sometimes in the middle of the measured complaint, so it ran cold and read reference
    rows the other did not."""
    reference_cache._seen["checked_at"] = float("-inf")
    reference_cache.generation()


def assert_same(empty: list, full: list) -> None:
    statements = [s for s, _ in empty]
    extra = [s[:200] for s, _ in full if s not in statements]
    assert [s for s, _ in full] == statements, extra
    for (statement, plan_empty), (_, plan_full) in zip(empty, full, strict=True):
        assert plan_full == plan_empty, statement


@pytest.mark.timeout(900)  # seeding 100,000 complaints on a shared machine
@time_machine.travel(WEDNESDAY_10AM_MYT, tick=False)
def test_one_complaint_runs_the_same_statements_and_plans_at_0_and_100000_tickets(org, accounts):
    # Each measured complaint follows one that warms the per-process caches (reference rows,
    # channel accounts: they expire after a minute), so both are the steady state.
    analyse()  # statistics of the empty tables, which go stale below
    settle_caches()
    one_complaint(0)
    empty = one_complaint(1, tiny_tables=True)
    one_group(10)
    empty_group = one_group(11, tiny_tables=True)
    seed()
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) > SEEDED
    settle_caches()
    one_complaint(2)
    stale = one_complaint(3)
    assert_same(empty, stale)
    one_group(12)
    stale_group = one_group(13)
    # A group reads several keys at once (``= ANY``): the planner picks among indexes that
    # serve it (the last key sought or filtered; one partial index of pending events or the
    # other) by statistics, so a group's plans are not compared — its statements are, and
    # none of its plans may scan a table that grows.
    assert [s for s, _ in stale_group] == [s for s, _ in empty_group]
    analyse()
    settle_caches()
    one_complaint(4)
    fresh = one_complaint(5)
    assert_same(empty, fresh)
    one_group(14)
    fresh_group = one_group(15)
    assert [s for s, _ in fresh_group] == [s for s, _ in empty_group]
    for measured in (fresh, stale_group, fresh_group):
        assert [plan for _, plan in measured if plan]  # the growing tables' plans were read
        assert not any("Seq Scan" in plan for _, plan in measured)
