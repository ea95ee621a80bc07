"""The reports' rollups against the raw tables: on random data — status changes, transfers,
assignments, merges, re-opens, referrals, breaches, recoveries and survey answers — every
dashboard figure equals a direct SQL computation over tickets and their rows (agency-local
days taken by PostgreSQL's own ``AT TIME ZONE``, not by the code under test), for two agencies,
for a supervisor's units, both after the first roll-up and after incremental changes."""

# ruff: noqa: S608  (the direct SQL is built from this test's own constants)
from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import select, text

from aduan.extensions import db
from aduan.models import SurveyResponse, Ticket
from aduan.models.reports import ReportDirtyTicket, ReportRollup
from aduan.models.routing import ServiceRecovery, SlaAlert
from aduan.services.reports import figures, live, rollups
from aduan.services.reports.scope import Period, Scope
from aduan.services.sla.clock import local_today
from aduan.services.tickets import merging, referral, routing, workflow
from aduan.vocabulary import OPEN_STATUSES
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit

ZONE = "Asia/Kuala_Lumpur"
CHANNELS = ("web", "email", "sms", "counter")
TYPES = ("aduan", "pertanyaan", "cadangan")
OPEN = tuple(sorted(s.value for s in OPEN_STATUSES))


def _world(rng: random.Random, now: dt.datetime):
    agencies = []
    for code in ("RPA", "RPB"):
        agency = gen_agency(code)
        units = [gen_unit(agency, state) for state in ("10", "02", "01")]
        units[1].parent_id = units[0].id
        officer = gen_officer(agency, units=units, roles=("officer", "supervisor"))
        agencies.append((agency, units, officer))
    db.session.commit()
    tickets = []
    for _ in range(30):
        agency, units, officer = rng.choice(agencies)
        received = now - dt.timedelta(days=rng.uniform(0.1, 70))
        ticket = gen_ticket(
            agency,
            rng.choice(units),
            received_at=received,
            origin_channel=rng.choice(CHANNELS),
            type=rng.choice(TYPES),
            complexity=rng.choice(("biasa", "kompleks")),
            state_code=rng.choice((None, "10", "02")),
        )
        ticket.assignee_id = officer.id if rng.random() < 0.6 else None
        tickets.append((ticket, agency, units, officer))
    db.session.commit()
    return agencies, tickets


def _act(rng: random.Random, now: dt.datetime, tickets, agencies) -> None:
    """One random thing happens to each of a random half of the tickets."""
    for ticket, agency, units, officer in rng.sample(tickets, len(tickets) // 2):
        if ticket.merged_into_id is not None or ticket.agency_id != agency.id:
            continue
        at = ticket.received_at + (now - ticket.received_at) * rng.uniform(0.05, 0.95)
        choice = rng.random()
        if choice < 0.45:
            _walk(rng, ticket, officer, at, now)
        elif choice < 0.55:
            routing.transfer(ticket, rng.choice(units), officer)
        elif choice < 0.62:
            others = [t for t, a, *_ in tickets if a.id == agency.id and t.id != ticket.id]
            target = rng.choice(others)
            if target.merged_into_id is None and target.agency_id == agency.id:
                merging.merge(ticket, target, officer)
        elif choice < 0.68 and referral.may_refer(officer, ticket):
            other = next(a for a, *_ in agencies if a.id != agency.id)
            referral.refer_to_agency(ticket, officer, other.id, "Bukan bidang kuasa kami", at=at)
        elif choice < 0.82:
            _breach(rng, ticket, at)
        else:
            _survey(rng, ticket, at, now)
        if rng.random() < 0.3:
            ticket.first_responded_at = at
        workflow.commit()


def _walk(rng, ticket: Ticket, officer, at: dt.datetime, now: dt.datetime) -> None:
    for target in ("diterima", "dalam_tindakan", "selesai", "ditutup", "dibuka_semula"):
        allowed = [s.value for s in workflow.allowed_next(ticket.status)]
        if target not in allowed or rng.random() < 0.25:
            return
        reason = "sebab" if target == "dibuka_semula" else None
        workflow.change_status(ticket, target, actor=officer, reason=reason, at=at)
        at = min(now, at + dt.timedelta(hours=rng.uniform(1, 200)))


def _breach(rng, ticket: Ticket, at: dt.datetime) -> None:
    field = rng.choice(("acknowledge_due_at", "first_response_due_at", "resolve_due_at"))
    for level in range(rng.randint(0, 3) + 1):
        db.session.add(
            SlaAlert(ticket_id=ticket.id, deadline_field=field, kind="breach", level=level,
                     deadline_at=at, created_at=at + dt.timedelta(hours=level))
        )  # fmt: skip
    if rng.random() < 0.7:
        db.session.add(
            ServiceRecovery(ticket_id=ticket.id, deadline_field=field, promised_at=at,
                            breached_at=at, apology=rng.choice(("", "Maaf atas kelewatan")),
                            new_date=(at + dt.timedelta(days=rng.randint(0, 9))).date(),
                            created_at=at)
        )  # fmt: skip


def _survey(rng, ticket: Ticket, at: dt.datetime, now: dt.datetime) -> None:
    answered = rng.random() < 0.7
    responded = min(now, at + dt.timedelta(hours=rng.uniform(1, 60)))
    db.session.add(
        SurveyResponse(
            ticket_id=ticket.id, resolved_at=at, requested_at=at,
            rating=rng.randint(1, 5) if answered else None,
            responded_at=responded if answered else None,
            comment=rng.choice(("", "Terima kasih", None)) if answered else None,
            objected_at=responded if not answered and rng.random() < 0.5 else None,
        )
    )  # fmt: skip


# --- the direct computation --------------------------------------------------------------


def _local(column: str) -> str:
    return f"(({column}) AT TIME ZONE '{ZONE}')::date BETWEEN :start AND :end"


def direct(agency_id: int, period: Period, now: dt.datetime, units=None, group=None) -> dict:
    """Every figure by plain SQL over the raw tables, optionally per ``group`` column."""
    params = {"a": agency_id, "start": period.start, "end": period.end, "now": now,
              "open": list(OPEN), "units": list(units or [])}  # fmt: skip
    unit_of = "t.unit_id"
    scoped = "AND t.unit_id = ANY(:units)" if units is not None else ""
    key = f"t.{group}" if group else "NULL"
    out: dict = {}

    def add(sql: str, names: tuple[str, ...], key_sql: str = key, where_units: str = scoped):
        query = sql.format(key=key_sql, units=where_units)  # constants of this test only
        for row in db.session.execute(text(query), params):
            target = out.setdefault(row[0], {})
            for name, value in zip(names, row[1:], strict=True):
                target[name] = target.get(name, 0) + int(value or 0)

    promises = []
    for done, due in rollups.PROMISES.values():
        promises.append(f"count(*) FILTER (WHERE t.merged_into_id IS NULL AND t.{done} <= t.{due})")
        promises.append(
            f"count(*) FILTER (WHERE t.merged_into_id IS NULL AND t.{due} IS NOT NULL AND "
            f"(t.{done} IS NOT NULL OR t.status <> ALL(:open) OR t.{due} <= :now))"
        )
    add(
        f"SELECT {{key}}, count(*), {', '.join(promises)} FROM tickets t "
        f"WHERE t.agency_id = :a AND {_local('t.received_at')} {{units}} GROUP BY 1",
        ("received", "ack_met", "ack_judged", "first_met", "first_judged", "resolve_met",
         "resolve_judged"),
    )  # fmt: skip
    add(
        "SELECT {key}, count(*) FILTER (WHERE e.kind = 'status_changed' AND e.after->>'status' "
        "IN ('selesai', 'luar_bidang_kuasa', 'tiada_tindakan_lanjut')), "
        "count(*) FILTER (WHERE e.kind = 'status_changed' AND e.after->>'status' = 'ditutup'), "
        "count(*) FILTER (WHERE e.kind = 'status_changed' AND "
        "e.after->>'status' = 'dibuka_semula'), count(*) FILTER (WHERE e.kind = 'merged_into') "
        f"FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.agency_id = :a "
        f"AND {_local('e.created_at')} {{units}} GROUP BY 1",
        ("resolved", "closed", "reopened", "merged"),
    )
    referral_key = {"unit_id": "r.from_unit_id"}.get(group, "NULL") if group else "NULL"
    add(
        "SELECT {key}, count(*) FROM ticket_referrals r JOIN tickets t ON t.id = r.ticket_id "
        f"WHERE r.agency_id = :a AND {_local('r.referred_at')} {{units}} GROUP BY 1",
        ("referred",),
        referral_key,
        scoped.replace(unit_of, "r.from_unit_id"),
    )
    add(
        "SELECT {key}, "
        "count(*) FILTER (WHERE s.level = 0 AND s.deadline_field = 'acknowledge_due_at'), "
        "count(*) FILTER (WHERE s.level = 0 AND s.deadline_field = 'first_response_due_at'), "
        "count(*) FILTER (WHERE s.level = 0 AND s.deadline_field = 'resolve_due_at'), "
        "count(*) FILTER (WHERE s.level = 1), count(*) FILTER (WHERE s.level = 2), "
        "count(*) FILTER (WHERE s.level = 3) FROM sla_alerts s JOIN tickets t ON "
        f"t.id = s.ticket_id WHERE s.kind = 'breach' AND t.agency_id = :a AND "
        f"{_local('s.created_at')} {{units}} GROUP BY 1",
        ("breach_ack", "breach_first", "breach_resolve", "breach_l1", "breach_l2", "breach_l3"),
    )
    add(
        "SELECT {key}, count(*) FILTER (WHERE btrim(s.apology) <> ''), count(*) FILTER (WHERE "
        f"(t.resolved_at AT TIME ZONE '{ZONE}')::date <= s.new_date) FROM service_recoveries s "
        f"JOIN tickets t ON t.id = s.ticket_id WHERE t.agency_id = :a AND "
        f"{_local('s.created_at')} {{units}} GROUP BY 1",
        ("apologies", "recovered"),
    )
    answered = f"s.rating IS NOT NULL AND {_local('s.responded_at')}"
    add(
        f"SELECT {{key}}, count(*) FILTER (WHERE {_local('s.requested_at')}), "
        f"count(*) FILTER (WHERE {answered}), "
        f"coalesce(sum(s.rating) FILTER (WHERE {answered}), 0), "
        f"count(*) FILTER (WHERE {answered} AND s.comment <> ''), "
        f"count(*) FILTER (WHERE {_local('s.objected_at')}) "
        "FROM survey_responses s JOIN tickets t ON t.id = s.ticket_id "
        "WHERE t.agency_id = :a {units} GROUP BY 1",
        ("surveys", "responses", "rating_sum", "comments", "objections"),
    )
    return out


def _check(agency_id: int, period: Period, now: dt.datetime, units=None) -> None:
    scope = Scope(agency_id, "", units)
    got = figures.compute(scope, period, now)
    expected = direct(agency_id, period, now, units).get(None, {})
    for name, value in expected.items():
        if name.endswith(("_met", "_judged")):
            prefix, kind = name.rsplit("_", 1)
            assert getattr(got.compliance[prefix], kind) == value, (name, period, units)
        else:
            assert got.totals[name] == value, (name, period, units)
    for name in ("unit", "category"):
        column = figures.BREAKDOWNS[name]
        expected = direct(agency_id, period, now, units, group=column)
        for key, values in expected.items():
            row = got.by[name].get(key, {})
            for counter in ("received", "resolved", "closed", "merged", "responses"):
                assert row.get(counter, 0) == values.get(counter, 0), (name, key, counter)
            if "ack_judged" in values:
                assert row["shares"]["resolve"].judged == values["resolve_judged"], (name, key)


def _periods(rng: random.Random, today: dt.date) -> list[Period]:
    periods = [Period(today - dt.timedelta(days=75), today), Period(today, today)]
    for _ in range(2):
        start = today - dt.timedelta(days=rng.randint(0, 75))
        periods.append(Period(start, start + dt.timedelta(days=rng.randint(0, 30))))
    return periods


@pytest.mark.parametrize("seed", [1, 2])
def test_every_figure_equals_the_direct_sql_on_random_data(db, seed):
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    agencies, tickets = _world(rng, now)
    _act(rng, now, tickets, agencies)
    rollups.refresh_all()
    for round_ in range(2):
        today = local_today(now)
        for agency, units, _officer in agencies:
            supervised = tuple(sorted((units[0].id, units[1].id)))
            for period in _periods(rng, today):
                _check(agency.id, period, now)
                _check(agency.id, period, now, supervised)
        if round_ == 0:  # then more happens, and only the noted tickets are rolled up again
            _act(rng, now, tickets, agencies)
            assert db.session.scalar(select(ReportDirtyTicket.id).limit(1)) is not None
            rollups.refresh_all()


def test_a_reconciled_day_equals_the_incrementally_kept_one(db):
    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    agencies, tickets = _world(rng, now)
    _act(rng, now, tickets, agencies)
    rollups.refresh_all()

    def rows():
        columns = [c for c in ReportRollup.__table__.columns if c.name != "id"]
        return sorted(tuple(r) for r in db.session.execute(select(*columns)))

    kept = rows()
    db.session.execute(ReportRollup.__table__.delete())
    days = {rollups.local_day(t.received_at) for t, *_ in tickets}
    today = local_today(now)
    days |= {today - dt.timedelta(days=n) for n in range(80)}
    rollups.reconcile([a.id for a, *_ in agencies], sorted(days))
    assert rows() == kept and kept


def test_the_open_book_counts_overdue_waiting_and_ages_of_open_tickets_only(db):
    now = dt.datetime.now(dt.UTC)
    agency = gen_agency("RPC")
    unit = gen_unit(agency, "10")
    fresh = gen_ticket(agency, unit, received_at=now - dt.timedelta(hours=1))
    old = gen_ticket(agency, unit, received_at=now - dt.timedelta(days=60))
    done = gen_ticket(agency, unit, received_at=now - dt.timedelta(days=200))
    workflow.change_status(done, "dalam_tindakan", at=now)
    workflow.change_status(done, "selesai", at=now)
    workflow.change_status(fresh, "diterima", at=now)
    workflow.change_status(fresh, "menunggu_pengadu", at=now)
    db.session.commit()
    other = gen_agency("RPD")
    gen_ticket(other, gen_unit(other, "10"), received_at=now - dt.timedelta(days=60))
    db.session.commit()
    book = live.open_book(Scope(agency.id, ""), now)
    assert book["open"] == 2 and book["waiting"] == 1
    assert book["age_0"] == 1 and book["age_31"] == 1 and book["age_91"] == 0
    assert book["overdue"] == (1 if old.resolve_due_at < now else 0) == 1


def test_a_ticket_noted_in_a_rolled_back_savepoint_is_noted_again_when_it_changes(db):
    from aduan.models import ReportDirtyTicket

    agency = gen_agency("SVP")
    ticket = gen_ticket(agency, gen_unit(agency, "10"))
    db.session.commit()
    db.session.execute(db.delete(ReportDirtyTicket))
    db.session.commit()
    try:
        with db.session.begin_nested():  # e.g. one ticket of a bulk action that fails
            ticket.subject = "Diubah"
            db.session.flush()  # noted here ...
            raise RuntimeError("this ticket's action failed")
    except RuntimeError:
        pass
    ticket.subject = "Diubah lagi"
    db.session.commit()  # ... and noted again, or its rollups would never be refreshed
    noted = db.session.scalars(db.select(ReportDirtyTicket.ticket_id)).all()
    assert noted == [ticket.id]
