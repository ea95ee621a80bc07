"""The per-process reference cache: routing rules and duty rosters served without queries, and
an admin's change seen at once in this process and within seconds in every other."""

from __future__ import annotations

import contextlib
import datetime as dt

import psycopg
import pytest
import redis as redis_lib

from aduan.models.routing import RosterException
from aduan.services.intake import reference_cache
from aduan.services.tickets import roster, routing
from tests.builders import gen_agency, gen_unit
from tests.builders_routing import gen_org, gen_reachable_ticket, gen_rule
from tests.conftest import REDIS_URL
from tests.sent_sql import recorded

MONDAY = dt.date(2026, 3, 2)


@pytest.fixture
def no_check_delay(monkeypatch):
    monkeypatch.setattr(reference_cache, "CHECK_SECONDS", 0.0)


def test_rules_are_read_once_then_served_from_the_cache(db):
    agency = gen_agency()
    gen_rule(agency, 1, {"keywords": ["jalan"]}, {"type": "aduan"}, name="roads")
    db.session.commit()
    assert [r.name for r in routing.active_rules(agency.id)] == ["roads"]
    with recorded() as seen:
        assert [r.name for r in routing.active_rules(agency.id)] == ["roads"]
    assert not [s for s in seen if "routing_rules" in s.sql]


def test_an_edit_in_this_process_is_seen_at_once(db):
    agency = gen_agency()
    rule = gen_rule(agency, 1, {"keywords": ["jalan"]}, {}, name="roads")
    db.session.commit()
    assert [r.name for r in routing.active_rules(agency.id)] == ["roads"]
    rule.name = "jalan raya"  # pending, not flushed: the cache is bypassed
    assert [r.name for r in routing.active_rules(agency.id)] == ["jalan raya"]
    rule.active = False
    db.session.commit()
    assert routing.active_rules(agency.id) == []


def test_a_commit_tells_the_other_processes(db, no_check_delay):
    agency = gen_agency()
    db.session.commit()
    redis = redis_lib.Redis.from_url(REDIS_URL)
    before = int(redis.get(reference_cache.VERSION_KEY) or 0)
    gen_rule(agency, 1, {}, {}, name="everything")
    db.session.commit()
    assert int(redis.get(reference_cache.VERSION_KEY)) == before + 1


def test_another_process_edit_is_seen_after_its_version_bump(db, database_url, no_check_delay):
    agency = gen_agency()
    gen_rule(agency, 1, {}, {}, name="old name")
    db.session.commit()
    assert [r.name for r in routing.active_rules(agency.id)] == ["old name"]
    with psycopg.connect(database_url, autocommit=True) as other:  # an admin, elsewhere
        other.execute("UPDATE routing_rules SET name = 'new name'")
    assert [r.name for r in routing.active_rules(agency.id)] == ["old name"]  # not told yet
    redis_lib.Redis.from_url(REDIS_URL).incr(reference_cache.VERSION_KEY)  # their commit
    assert [r.name for r in routing.active_rules(agency.id)] == ["new name"]


def test_entries_expire_even_without_a_version_bump(db, database_url, monkeypatch):
    agency = gen_agency()
    gen_rule(agency, 1, {}, {}, name="old name")
    db.session.commit()
    monkeypatch.setattr(reference_cache, "TTL_SECONDS", 0.0)
    routing.active_rules(agency.id)
    with psycopg.connect(database_url, autocommit=True) as other:
        other.execute("UPDATE routing_rules SET name = 'new name'")
    assert [r.name for r in routing.active_rules(agency.id)] == ["new name"]


def test_leave_recorded_by_an_admin_takes_the_officer_off_duty_at_once(db):
    agency, unit, *_, (a, b) = gen_org(officers=2)
    db.session.commit()
    assert roster.duty_officer_ids(unit, MONDAY) == [a.id, b.id]
    db.session.add(RosterException(unit_id=unit.id, officer_id=a.id, day=MONDAY, kind="leave"))
    db.session.commit()
    assert roster.duty_officer_ids(unit, MONDAY) == [b.id]
    b.active = False
    db.session.commit()
    assert roster.duty_officer_ids(unit, MONDAY) == []


def test_a_new_rule_routes_the_next_ticket(db):
    agency = gen_agency()
    triage, roads = gen_unit(agency), gen_unit(agency)
    agency.triage_unit_id = triage.id
    db.session.commit()
    first = gen_reachable_ticket(agency, triage, description="Jalan berlubang")
    assert routing.route(first) is None
    gen_rule(agency, 1, {"keywords": ["jalan"]}, {"unit_id": roads.id}, name="roads")
    db.session.commit()
    second = gen_reachable_ticket(agency, triage, description="Jalan berlubang")
    assert routing.route(second).name == "roads" and second.unit_id == roads.id


def test_a_failed_savepoint_does_not_hide_the_transactions_change_from_the_others(
    db, no_check_delay
):
    agency = gen_agency()
    db.session.commit()
    redis = redis_lib.Redis.from_url(REDIS_URL)
    before = int(redis.get(reference_cache.VERSION_KEY) or 0)
    gen_rule(agency, 1, {}, {}, name="everything")
    db.session.flush()
    with contextlib.suppress(RuntimeError), db.session.begin_nested():
        raise RuntimeError("a later step of the same transaction fails")
    db.session.commit()
    assert int(redis.get(reference_cache.VERSION_KEY)) == before + 1


def test_a_holiday_edit_drops_the_cached_duty_lists(db, no_check_delay):
    from aduan.services.tickets.deadlines import calendar_changed

    redis = redis_lib.Redis.from_url(REDIS_URL)
    generation = reference_cache.generation()
    before = int(redis.get(reference_cache.VERSION_KEY) or 0)
    calendar_changed()  # what the holiday admin calls after each change
    assert reference_cache.generation() != generation
    assert int(redis.get(reference_cache.VERSION_KEY)) == before + 1
