"""The hotline and address an agency's public pages show are its admin's to set."""

from aduan.extensions import db
from aduan.models import Agency
from tests.web.admin.helpers import post, setup

BASE = {"name": "Majlis Baharu", "office_open": "08:30", "office_close": "16:30",
        "thread_window_days": "5"}  # fmt: skip


def test_hotline_and_address_are_saved_and_shown_on_the_agency_s_pages(client):
    s = setup(client)
    data = {**BASE, "public_hotline": "03-7956 3544", "public_address": "Jalan 1\n46000 PJ"}
    assert post(client, "/admin/agency", data).status_code == 303
    agency = db.session.get(Agency, s.agency.id)
    db.session.refresh(agency)
    assert agency.settings["public_hotline"] == "03-7956 3544"
    html = client.get(f"/a/{agency.code}/piagam").get_data(as_text=True)
    assert "Majlis Baharu" in html and "03-7956 3544" in html and "46000 PJ" in html
    assert "08:30 hingga 16:30 pada hari bekerja" in html  # the officer reads BM


def test_a_hotline_that_is_not_a_number_is_refused_on_its_field(client):
    s = setup(client)
    response = post(client, "/admin/agency", {**BASE, "public_hotline": "call us!"})
    assert response.status_code == 422
    assert 'id="public_hotline-error"' in response.get_data(as_text=True)
    db.session.refresh(s.agency)
    assert "public_hotline" not in (s.agency.settings or {})
