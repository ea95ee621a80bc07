"""Every admin page: admins only (403 for other roles), own agency only (404 otherwise), and
no POST without a CSRF token."""

import pytest

from aduan.extensions import db
from aduan.models import ChannelAccount, OfficeClosure, SlaProfile
from aduan.models.routing import RoutingRule
from aduan.services.channel_config.accounts import save_account
from tests.builders import gen_agency, gen_category, gen_officer, gen_unit, login
from tests.web.admin.helpers import setup

PAGES = [
    "/admin/", "/admin/agency", "/admin/units", "/admin/units/new", "/admin/officers",
    "/admin/officers/new", "/admin/categories", "/admin/categories/new", "/admin/sla-profiles",
    "/admin/sla-profiles/new", "/admin/routing-rules", "/admin/routing-rules/new",
    "/admin/holidays", "/admin/holidays/new", "/admin/roster", "/admin/channels",
    "/admin/channels/new/telegram", "/admin/quarantine", "/admin/audit",
]  # fmt: skip


def _own_object_pages(s) -> list[str]:
    profile = db.session.scalar(db.select(SlaProfile).where(SlaProfile.agency_id == s.agency.id))
    category = gen_category(s.agency)
    rule = RoutingRule(agency_id=s.agency.id, name="r", conditions={}, actions={})
    account = save_account(s.agency, "telegram", {"bot_token": "x" * 20}, key="own")
    holiday = OfficeClosure(agency_id=s.agency.id, day=__import__("datetime").date(2026, 5, 5),
                            name="h")  # fmt: skip
    db.session.add_all([rule, holiday])
    db.session.commit()
    return [
        f"/admin/units/{s.unit.id}", f"/admin/officers/{s.admin.id}",
        f"/admin/categories/{category.id}", f"/admin/sla-profiles/{profile.id}",
        f"/admin/routing-rules/{rule.id}", f"/admin/roster/{s.unit.id}",
        f"/admin/channels/{account.id}", f"/admin/holidays/{holiday.id}",
    ]  # fmt: skip


def test_admin_sees_every_page(client):
    s = setup(client)
    for path in PAGES + _own_object_pages(s):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "csrf_token" in response.get_data(as_text=True) or path in (
            "/admin/", "/admin/units", "/admin/officers", "/admin/categories",
            "/admin/sla-profiles", "/admin/routing-rules", "/admin/holidays", "/admin/roster",
            "/admin/channels", "/admin/audit", "/admin/quarantine",
        )  # fmt: skip


@pytest.mark.parametrize("role", ["officer", "supervisor", "complaint_manager"])
def test_other_roles_are_forbidden_everywhere(client, role):
    s = setup(client, roles=(role,))
    pages = PAGES + _own_object_pages(s)
    for path in pages:
        assert client.get(path).status_code == 403, path
    assert client.post("/admin/units/new", data={"code": "X"}).status_code in (400, 403)


def test_signed_out_is_refused(client):
    assert client.get("/admin/units").status_code in (302, 401, 403)


def test_another_agencys_objects_are_not_found(client):
    setup(client)
    other = gen_agency(state="02")
    unit = gen_unit(other, state="02")
    officer = gen_officer(other, units=[unit])
    profile = db.session.scalar(db.select(SlaProfile).where(SlaProfile.agency_id == other.id))
    category = gen_category(other)
    rule = RoutingRule(agency_id=other.id, name="theirs", conditions={}, actions={})
    db.session.add(rule)
    account = save_account(other, "telegram", {"bot_token": "y" * 20}, key="theirs")
    holiday = OfficeClosure(agency_id=other.id, day=__import__("datetime").date(2026, 5, 6),
                            name="h", created_by_id=officer.id)  # fmt: skip
    db.session.add(holiday)
    db.session.commit()
    for path in (
        f"/admin/units/{unit.id}", f"/admin/officers/{officer.id}",
        f"/admin/categories/{category.id}", f"/admin/sla-profiles/{profile.id}",
        f"/admin/routing-rules/{rule.id}", f"/admin/roster/{unit.id}",
        f"/admin/channels/{account.id}", f"/admin/holidays/{holiday.id}",
    ):  # fmt: skip
        assert client.get(path).status_code == 404, path
    assert db.session.get(ChannelAccount, account.id) is not None


def test_post_without_csrf_token_is_rejected(client):
    s = setup(client)
    response = client.post(
        "/admin/units/new", data={"code": "NEW", "name": "N", "state_code": "10"}
    )
    assert response.status_code == 400
    assert [u.code for u in s.agency.units] == ["HQ"]


def test_other_agency_rule_delete_is_not_found(client):
    from tests.web.admin.helpers import post

    setup(client)
    other = gen_agency()
    rule = RoutingRule(agency_id=other.id, name="theirs", conditions={}, actions={})
    db.session.add(rule)
    db.session.commit()
    response = post(client, f"/admin/routing-rules/{rule.id}/delete", {}, "/admin/units/new")
    assert response.status_code == 404
    assert db.session.get(RoutingRule, rule.id) is not None


def test_login_helper_is_used(client):
    s = setup(client)
    login(client, s.admin)
    assert client.get("/admin/agency").status_code == 200
