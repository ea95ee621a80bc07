"""Admin forms: per-field errors that keep the input, audit rows, and the effects that matter."""

import datetime as dt

from aduan.extensions import db
from aduan.models import Agency, ChannelAccount, Officer, SlaProfile, Unit
from aduan.models.admin import AdminAuditLog
from aduan.models.routing import RosterPattern, RoutingRule
from aduan.services.admin.agency import NOTICE_LABELS
from aduan.services.auth.passwords import verify_password
from aduan.services.channel_config.accounts import decrypt_settings, save_account
from aduan.services.outbox.status_notices import PURPOSES
from aduan.services.tickets import deadlines
from tests.builders import gen_officer, gen_ticket
from tests.web.admin.helpers import post, setup


def _audits(entity: str) -> list[AdminAuditLog]:
    query = db.select(AdminAuditLog).where(AdminAuditLog.entity == entity)
    return list(db.session.scalars(query.order_by(AdminAuditLog.id)))


def test_sla_profile_errors_are_per_field_and_keep_the_input(client):
    setup(client)
    data = {
        "name": "Cepat", "acknowledge_days": "0", "first_response_days": "abc",
        "resolve_days": "20", "resolve_days_complex": "10", "warn_days_before": "1",
    }  # fmt: skip
    response = post(client, "/admin/sla-profiles/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="acknowledge_days-error"' in html and 'id="first_response_days-error"' in html
    assert (
        'id="resolve_days_complex-error"' in html
        and "sekurang-kurangnya hari penyelesaian biasa" in html
    )
    assert 'value="Cepat"' in html and 'value="abc"' in html  # nothing typed is lost
    assert db.session.scalar(db.select(SlaProfile).where(SlaProfile.name == "Cepat")) is None


def test_sla_profile_saved_and_audited(client):
    s = setup(client)
    data = {
        "name": "Cepat", "acknowledge_days": "1", "first_response_days": "3",
        "resolve_days": "10", "resolve_days_complex": "10", "warn_days_before": "0",
    }  # fmt: skip
    assert post(client, "/admin/sla-profiles/new", data).status_code == 303
    profile = db.session.scalar(db.select(SlaProfile).where(SlaProfile.name == "Cepat"))
    assert profile.agency_id == s.agency.id and profile.resolve_days == 10
    [audit] = _audits("sla_profile")
    assert audit.actor_id == s.admin.id and audit.action == "create"


def test_unit_created_with_state_parent_and_head(client):
    s = setup(client)
    data = {"code": "KDH1", "name": "Cawangan Kedah", "state_code": "02", "active": "1",
            "parent_id": str(s.unit.id), "head_officer_id": str(s.admin.id)}  # fmt: skip
    assert post(client, "/admin/units/new", data).status_code == 303
    unit = db.session.scalar(db.select(Unit).where(Unit.code == "KDH1"))
    assert (unit.state_code, unit.parent_id, unit.head_officer_id) == ("02", s.unit.id, s.admin.id)
    bad = post(client, "/admin/units/new", {**data, "state_code": "17", "code": "HQ"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="state_code-error"' in html and 'id="code-error"' in html  # bad state, code taken


def test_unit_cannot_be_its_own_parent(client):
    s = setup(client)
    data = {"code": "HQ", "name": "HQ", "state_code": "10", "parent_id": str(s.unit.id)}
    response = post(client, f"/admin/units/{s.unit.id}", data)
    assert response.status_code == 422 and 'id="parent_id-error"' in response.get_data(as_text=True)


def test_officer_created_with_hashed_password_never_shown(client):
    s = setup(client)
    data = {"username": "siti", "name": "Siti", "email": "Siti@Agency.test",
            "password": "a long enough secret", "roles": ["officer", "supervisor"],
            "unit_ids": [str(s.unit.id)], "locale": "ms", "active": "1"}  # fmt: skip
    assert post(client, "/admin/officers/new", data).status_code == 303
    officer = db.session.scalar(db.select(Officer).where(Officer.username == "siti"))
    assert verify_password(officer.password_hash, "a long enough secret")
    assert officer.email == "siti@agency.test" and officer.units == [s.unit]
    html = client.get(f"/admin/officers/{officer.id}").get_data(as_text=True)
    assert officer.password_hash not in html and "a long enough secret" not in html
    assert "password_hash" not in str([a.after for a in _audits("officer")])


def test_officer_short_password_and_no_role_are_field_errors(client):
    setup(client)
    data = {"username": "ali", "name": "Ali", "email": "ali@x.test", "password": "short"}
    html = post(client, "/admin/officers/new", data).get_data(as_text=True)
    assert 'id="password-error"' in html and 'id="roles-error"' in html
    assert 'value="ali"' in html and 'value="short"' not in html  # a password is not echoed


def test_deactivating_an_officer_ends_their_sessions(client):
    s = setup(client)
    victim = gen_officer(s.agency, units=[s.unit])
    db.session.commit()
    version = victim.session_version
    data = {
        "username": victim.username,
        "name": victim.name,
        "email": victim.email,
        "roles": ["officer"],
        "unit_ids": [str(s.unit.id)],
        "locale": "ms",
    }  # no "active"
    assert post(client, f"/admin/officers/{victim.id}", data).status_code == 303
    db.session.refresh(victim)
    assert victim.active is False and victim.session_version == version + 1
    [audit] = _audits("officer")
    assert audit.after["sessions_ended"] is True


def test_admin_cannot_deactivate_themselves(client):
    s = setup(client)
    data = {"username": s.admin.username, "name": "x", "email": s.admin.email,
            "roles": ["admin"], "locale": "ms"}  # fmt: skip
    response = post(client, f"/admin/officers/{s.admin.id}", data)
    assert response.status_code == 422 and 'id="active-error"' in response.get_data(as_text=True)


def test_agency_settings(client):
    s = setup(client)
    data = {"name": "Majlis Baharu", "office_open": "08:30", "office_close": "16:30",
            "thread_window_days": "5", "whatsapp_ack_template": "HXabc",
            "charter_reviewed_on": "2026-01-15"}  # fmt: skip
    assert post(client, "/admin/agency", data).status_code == 303
    agency = db.session.get(Agency, s.agency.id)
    db.session.refresh(agency)
    assert agency.name == "Majlis Baharu" and agency.office_close == dt.time(16, 30)
    assert agency.settings["thread_window_days"] == 5
    assert agency.charter_reviewed_on == dt.date(2026, 1, 15)
    assert agency.settings["citizen_notices_off"] == []
    assert set(NOTICE_LABELS) == set(PURPOSES)  # every notice the door may send, by name
    page = client.get("/admin/agency").get_data(as_text=True)
    assert "Kembali dalam tindakan" in page and 'value="resumed"' in page  # each by name (BM)
    switched = {**data, "citizen_notices_off": ["resumed", "closed"]}  # two boxes ticked
    assert post(client, "/admin/agency", switched).status_code == 303
    db.session.refresh(agency)
    assert agency.settings["citizen_notices_off"] == ["resumed", "closed"]
    assert post(client, "/admin/agency", {**data, "citizen_notices_off": "nope"}).status_code == 422
    bad = post(
        client, "/admin/agency", {**data, "office_close": "07:00", "thread_window_days": "-1"}
    )
    html = bad.get_data(as_text=True)
    assert 'id="office_close-error"' in html and 'id="thread_window_days-error"' in html


def test_channel_secret_masked_and_kept_when_blank(client):
    s = setup(client)
    secret = "123456:ABCDEFsupersecretbottoken"
    db.session.refresh(s.agency)  # save_account reads agency.id after adding the row (autoflush)
    row = save_account(
        s.agency, "telegram", {"bot_token": secret, "webhook_secret": "hook-secret-1234"}
    )
    row.last_error, row.last_error_at = "timeout talking to Telegram", dt.datetime.now(dt.UTC)
    db.session.commit()
    for path in ("/admin/channels", f"/admin/channels/{row.id}"):
        html = client.get(path).get_data(as_text=True)
        assert secret not in html and "hook-secret-1234" not in html
        assert "••••oken" in html and "timeout talking to Telegram" in html
    data = {"s_bot_token": "", "s_webhook_secret": "new-hook-secret", "active": "1"}
    response = post(client, f"/admin/channels/{row.id}", data)
    assert response.status_code == 303
    db.session.refresh(row)
    settings = decrypt_settings(row.settings)
    assert settings["bot_token"] == secret and settings["webhook_secret"] == "new-hook-secret"
    [audit] = _audits("channel_account")
    assert secret not in str(audit.after) and audit.after["changed_settings"] == ["webhook_secret"]


def test_channel_account_key_taken_by_another_agency_is_refused(client):
    from tests.builders import gen_agency

    setup(client)
    other = gen_agency()
    db.session.refresh(other)
    save_account(other, "telegram", {"bot_token": "z" * 20}, key="shared")
    db.session.commit()
    response = post(client, "/admin/channels/new/telegram", {"account_key": "shared"})
    assert response.status_code == 422 and 'id="account_key-error"' in response.get_data(
        as_text=True
    )
    rows = db.session.scalars(
        db.select(ChannelAccount).where(ChannelAccount.account_key == "shared")
    )
    assert [r.agency_id for r in rows] == [other.id]


def test_holiday_override_moves_a_deadline_computed_afterwards(client):
    s = setup(client)
    received = dt.datetime(2026, 7, 6, 1, 0, tzinfo=dt.UTC)  # Monday 09:00 in Selangor
    before = gen_ticket(s.agency, s.unit, received_at=received).acknowledge_due_at
    db.session.commit()
    assert deadlines.calendar("10").is_working_day(dt.date(2026, 7, 7))  # warm the cache
    data = {"day": "2026-07-07", "state_code": "10", "name": "Cuti Peristiwa", "is_holiday": "1"}
    assert post(client, "/admin/holidays/new", data).status_code == 303
    after = gen_ticket(s.agency, s.unit, received_at=received).acknowledge_due_at
    assert after - before == dt.timedelta(days=1)
    assert db.session.get(Agency, s.agency.id) is not None
    assert [a.action for a in _audits("holiday")] == ["create"]


def test_calendar_cache_is_dropped_when_another_process_bumps_the_version(app_ctx):
    from aduan.redis_conn import get_redis

    first = deadlines.calendar("10")
    assert deadlines.calendar("10") is first
    get_redis(app_ctx).incr(deadlines.CALENDAR_VERSION_KEY)
    deadlines._calendar_seen["checked_at"] = float("-inf")  # as if the check interval passed
    assert deadlines.calendar("10") is not first


def test_routing_rule_through_the_api_schema(client):
    s = setup(client)
    data = {"name": "Lampu", "position": "1", "active": "1", "cond_keywords": "lampu, jalan",
            "cond_types": ["aduan"], "act_unit_id": str(s.unit.id)}  # fmt: skip
    assert post(client, "/admin/routing-rules/new", data).status_code == 303
    rule = db.session.scalar(db.select(RoutingRule).where(RoutingRule.name == "Lampu"))
    assert (
        rule.conditions["keywords"] == ["lampu", "jalan"] and rule.actions["unit_id"] == s.unit.id
    )
    bad = post(
        client, "/admin/routing-rules/new", {**data, "cond_types": ["nonsense"], "position": "-3"}
    )
    html = bad.get_data(as_text=True)
    assert (
        bad.status_code == 422 and 'id="cond_types-error"' in html and 'id="position-error"' in html
    )


def test_roster_pattern_and_exception(client):
    s = setup(client)
    data = {f"p_{s.admin.id}_0": "1", f"p_{s.admin.id}_2": "1"}
    assert post(client, f"/admin/roster/{s.unit.id}", data).status_code == 303
    days = db.session.scalars(
        db.select(RosterPattern.weekday).where(RosterPattern.unit_id == s.unit.id)
    )
    assert sorted(days) == [0, 2]
    path = f"/admin/roster/{s.unit.id}/exceptions"
    bad = post(client, path, {"officer_id": str(s.admin.id), "day": "bad", "kind": "leave"},
               f"/admin/roster/{s.unit.id}")  # fmt: skip
    assert bad.status_code == 422 and 'id="day-error"' in bad.get_data(as_text=True)
    ok = post(client, path, {"officer_id": str(s.admin.id), "day": "2026-06-01", "kind": "leave"},
              f"/admin/roster/{s.unit.id}")  # fmt: skip
    assert ok.status_code == 303
    assert {a.entity for a in db.session.scalars(db.select(AdminAuditLog))} == {
        "roster_pattern", "roster_exception"}  # fmt: skip
