"""API tokens expire and rotate: an expiry date given by the admin (refused after it with a
clear problem), a rotation (new secret; the old one accepted for 24 hours, then refused),
the admin page's warning before expiry — and none of it reachable by another agency."""

from __future__ import annotations

import datetime as dt
import re

import time_machine

from aduan.extensions import db
from aduan.models.admin import AdminAuditLog
from aduan.models.api import ApiToken
from tests.builders import gen_agency, gen_officer, login
from tests.web.api.builders import bearer, gen_token
from tests.web.open311.helpers import filing, two_jurisdictions

SECRET = re.compile(r'id="new-token">([^<]+)<')


def _admin_post(client, path: str, data: dict | None = None):
    client.application.config["WTF_CSRF_ENABLED"] = False
    try:
        return client.post(path, data=data or {})
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = True


def _admin(client, agency):
    admin = gen_officer(agency, roles=("admin",))
    db.session.commit()
    login(client, admin)
    return admin


def test_a_token_with_an_expiry_date_is_refused_after_that_day_with_a_clear_problem(client):
    agency = gen_agency()
    _admin(client, agency)
    today = dt.datetime.now(dt.UTC).date()
    past = _admin_post(client, "/admin/api-tokens", {"name": "Lama", "scopes": "read",
                                                      "expires_on": "2020-01-01"})  # fmt: skip
    assert past.status_code == 422 and db.session.scalar(db.select(ApiToken.id)) is None
    until = today + dt.timedelta(days=3)
    page = _admin_post(client, "/admin/api-tokens", {"name": "Projek", "scopes": "read",
                                                      "expires_on": until.isoformat()})  # fmt: skip
    assert page.status_code == 201
    secret = SECRET.search(page.get_data(as_text=True)).group(1)
    assert client.get("/api/v1/units", headers=bearer(secret)).status_code == 200
    with time_machine.travel(dt.datetime.combine(until, dt.time(12), tzinfo=dt.UTC), tick=False):
        assert client.get("/api/v1/units", headers=bearer(secret)).status_code == 200
    later = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)
    with time_machine.travel(later, tick=False):
        refused = client.get("/api/v1/units", headers=bearer(secret))
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert refused.json["code"] == "token_expired" and "tamat tempoh" in refused.json["detail"]


def test_an_expired_citizen_key_files_nothing_over_open311(client):
    _a, (b, _c, b_secret) = two_jurisdictions()
    token = db.session.scalars(db.select(ApiToken).where(ApiToken.agency_id == b.id)).one()
    token.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db.session.commit()
    response = client.post("/open311/v2/requests.json?jurisdiction_id=MBPJ&lang=en",
                           data=filing(b_secret, "MBPJ-01"))  # fmt: skip
    assert response.status_code == 403
    assert "expired" in response.json[0]["description"]


def test_rotation_issues_a_new_secret_and_the_old_one_works_for_a_day_only(client):
    agency = gen_agency()
    other = gen_agency()
    token, old = gen_token(agency)
    _t, others_token_secret = gen_token(other)
    admin = _admin(client, agency)
    page = _admin_post(client, f"/admin/api-tokens/{token.id}/rotate")
    assert page.status_code == 200
    new = SECRET.search(page.get_data(as_text=True)).group(1)
    assert new != old and "24" in page.get_data(as_text=True)
    for secret in (new, old):
        assert client.get("/api/v1/units", headers=bearer(secret)).status_code == 200
    audit = db.session.scalars(db.select(AdminAuditLog).where(
        AdminAuditLog.action == "rotate")).one()  # fmt: skip
    assert audit.actor_id == admin.id and new not in str(audit.after) and old not in str(audit)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=25), tick=False):
        refused = client.get("/api/v1/units", headers=bearer(old))
        assert client.get("/api/v1/units", headers=bearer(new)).status_code == 200
    assert refused.status_code == 401 and refused.json["code"] == "token_expired"
    assert "diputar" in refused.json["detail"]  # "rotated", in BM first
    # Another agency's admin cannot rotate (nor see) this token.
    db.session.expire_all()
    digest = db.session.get(ApiToken, token.id).token_hash
    login(client, gen_officer(other, roles=("admin",)))
    db.session.commit()
    assert _admin_post(client, f"/admin/api-tokens/{token.id}/rotate").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).token_hash == digest
    assert client.get("/api/v1/units", headers=bearer(new)).status_code == 200
    assert client.get("/api/v1/units", headers=bearer(others_token_secret)).status_code == 200


def test_the_admin_page_warns_before_a_token_expires_and_shows_its_last_use(client):
    agency = gen_agency()
    soon, soon_secret = gen_token(agency, name="Hampir tamat")
    later, _s = gen_token(agency, name="Masih lama")
    soon.expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=5)
    later.expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=60)
    db.session.commit()
    client.get("/api/v1/units", headers=bearer(soon_secret))
    _admin(client, agency)
    html = client.get("/admin/api-tokens?lang=en").get_data(as_text=True)
    assert f'data-expiring="{soon.id}"' in html and f'data-expiring="{later.id}"' not in html
    assert "The token Hampir tamat expires on" in html
    row = html[html.index("Hampir tamat</td>") :]
    assert "Never" not in row[: row.index("</tr>")].split("<td>")[4]  # last used: a time
    other_row = html[html.index("Masih lama</td>") :]
    assert "Never" in other_row[: other_row.index("</tr>")].split("<td>")[4]
