"""API tokens: created on the admin page (shown once, stored hashed), last-used time shown,
revoked at once; another agency's admin cannot touch them."""

from __future__ import annotations

import re

from aduan.extensions import db
from aduan.models.admin import AdminAuditLog
from aduan.models.api import ApiToken
from tests.builders import gen_agency, gen_officer, login
from tests.web.api.builders import bearer, gen_token


def _csrf_off(client):
    client.application.config["WTF_CSRF_ENABLED"] = False


def test_an_admin_creates_a_token_shown_once_and_stored_hashed(client):
    agency = gen_agency()
    admin = gen_officer(agency, roles=("admin",))
    db.session.commit()
    login(client, admin)
    _csrf_off(client)
    try:
        page = client.post("/admin/api-tokens", data={"name": "Sistem e-Aduan",
                                                       "scopes": ["read", "write"]})  # fmt: skip
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = True
    assert page.status_code == 201
    secret = re.search(r'id="new-token">([^<]+)<', page.get_data(as_text=True)).group(1)
    token = db.session.scalar(db.select(ApiToken))
    assert token.scopes == ["read", "write"] and token.agency_id == agency.id
    assert secret not in token.token_hash and token.last_used_at is None
    assert secret not in client.get("/admin/api-tokens").get_data(as_text=True)
    assert client.get("/api/v1/units", headers=bearer(secret)).status_code == 200
    db.session.refresh(token)
    assert token.last_used_at is not None
    audit = db.session.scalar(db.select(AdminAuditLog).where(AdminAuditLog.entity == "api_token"))
    assert audit.action == "create" and audit.actor_id == admin.id
    assert secret not in str(audit.after)


def test_a_token_needs_a_name_and_a_scope(client):
    agency = gen_agency()
    login(client, gen_officer(agency, roles=("admin",)))
    db.session.commit()
    _csrf_off(client)
    try:
        page = client.post("/admin/api-tokens", data={"name": ""})
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = True
    assert page.status_code == 422
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_a_revoked_token_is_refused_at_once(client):
    agency = gen_agency()
    admin = gen_officer(agency, roles=("admin",))
    token, secret = gen_token(agency)
    assert client.get("/api/v1/units", headers=bearer(secret)).status_code == 200
    login(client, admin)
    _csrf_off(client)
    try:
        revoked = client.post(f"/admin/api-tokens/{token.id}/revoke")
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = True
    assert revoked.status_code == 303
    refused = client.get("/api/v1/units", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.content_type == "application/problem+json"
    page = client.get("/admin/api-tokens").get_data(as_text=True)
    assert "Dibatalkan" in page and f"/admin/api-tokens/{token.id}/revoke" not in page


def test_another_agencys_admin_cannot_see_or_revoke_a_token(client):
    agency_a, agency_b = gen_agency(), gen_agency()
    token_a, secret_a = gen_token(agency_a, name="Token agensi A")
    admin_b = gen_officer(agency_b, roles=("admin",))
    db.session.commit()
    login(client, admin_b)
    assert "Token agensi A" not in client.get("/admin/api-tokens").get_data(as_text=True)
    _csrf_off(client)
    try:
        assert client.post(f"/admin/api-tokens/{token_a.id}/revoke").status_code == 404
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = True
    assert client.get("/api/v1/units", headers=bearer(secret_a)).status_code == 200


def test_an_officer_cannot_reach_the_token_page(client):
    agency = gen_agency()
    login(client, gen_officer(agency, roles=("complaint_manager",)))
    db.session.commit()
    assert client.get("/admin/api-tokens").status_code == 403
