"""An agency's logo on its own public pages (issue #11 item 6): uploaded by its admin, checked
by its bytes, served from the shared attachment store, never shown on another agency's pages."""

from __future__ import annotations

import io

from aduan.extensions import db
from aduan.models import AdminAuditLog
from tests.builders import gen_agency
from tests.web.admin.helpers import setup, token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(client, data: bytes, name: str = "logo.png"):
    form = {"csrf_token": token(client, "/admin/agency/logo"), "logo": (io.BytesIO(data), name)}
    return client.post("/admin/agency/logo", data=form, content_type="multipart/form-data")


def test_the_admin_s_logo_is_served_and_shown_on_the_agency_s_pages_only(client):
    s = setup(client)
    other = gen_agency(code="OTHER")
    db.session.commit()
    assert upload(client, PNG).status_code == 303
    logo = client.get(f"/a/{s.agency.code}/logo")
    assert (logo.status_code, logo.mimetype, logo.data) == (200, "image/png", PNG)
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    page = client.get(f"/a/{s.agency.code}/piagam").get_data(as_text=True)
    assert f'src="/a/{s.agency.code}/logo"' in page
    assert client.get(f"/a/{other.code}/logo").status_code == 404
    assert "/logo" not in client.get(f"/a/{other.code}/piagam").get_data(as_text=True)
    audit = db.session.scalars(db.select(AdminAuditLog).where(AdminAuditLog.entity == "agency"))
    assert [row.agency_id for row in audit] == [s.agency.id]


def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(client):
    s = setup(client)
    refused = upload(client, b"<svg onload=alert(1)>", "logo.png")
    assert refused.status_code == 422
    assert 'id="logo-error"' in refused.get_data(as_text=True)
    assert client.get(f"/a/{s.agency.code}/logo").status_code == 404


def test_a_removed_logo_is_no_longer_served(client):
    s = setup(client)
    upload(client, PNG)
    form = {"csrf_token": token(client, "/admin/agency/logo"), "remove": "1"}
    assert client.post("/admin/agency/logo", data=form).status_code == 303
    assert client.get(f"/a/{s.agency.code}/logo").status_code == 404
