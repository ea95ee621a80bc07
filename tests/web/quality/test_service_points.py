"""An agency admin defines service points: validated codes, its own units only, the short link
and poster listed, a kiosk link shown once."""

from __future__ import annotations

import re

from aduan.extensions import db
from aduan.models.quality import ServicePoint
from aduan.services.quality import service_points
from tests.builders import gen_agency, gen_officer, gen_unit, login

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_an_admin_adds_a_point_and_gets_its_link_poster_and_kiosk(client):
    agency = gen_agency(code="MBX")
    unit = gen_unit(agency, name="Bahagian Lesen")
    other = gen_agency(code="MBY")
    their_unit = gen_unit(other)
    login(client, gen_officer(agency, units=[unit], roles=("admin",)))
    db.session.commit()
    token = _TOKEN.search(client.get("/kualiti/titik/baru").get_data(as_text=True)).group(1)
    form = {
        "csrf_token": token,
        "name": "Kaunter Lesen 3",
        "code": "Kaunter 3!",
        "kind": "counter",
        "unit_id": their_unit.id,
        "low_rating": "2",
        "active": "1",
    }
    refused = client.post("/kualiti/titik/baru", data=form)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Kaunter Lesen 3" in body  # nothing typed is lost
    assert "Gunakan 2–40 huruf kecil" in body and "Pilih salah satu" in body
    made = client.post("/kualiti/titik/baru", data={**form, "code": "kaunter-3",
                                                     "unit_id": unit.id})  # fmt: skip
    assert made.status_code == 303
    point = db.session.scalar(db.select(ServicePoint))
    assert (point.agency_id, point.unit_id, point.code) == (agency.id, unit.id, "kaunter-3")
    again = client.post("/kualiti/titik/baru", data={**form, "code": "kaunter-3",
                                                      "unit_id": ""})  # fmt: skip
    assert again.status_code == 422 and "sudah digunakan" in again.get_data(as_text=True).lower()
    listing = client.get("/kualiti/titik").get_data(as_text=True)
    assert "https://aduan.test/a/MBX/n/kaunter-3" in listing
    assert f"/kualiti/titik/{point.id}/poster.pdf" in listing
    kiosk = client.post(f"/kualiti/titik/{point.id}/kiosk", data={"csrf_token": token})
    link = re.search(r"data-kiosk-link>([^<]+)<", kiosk.get_data(as_text=True)).group(1)
    key = link.split("?k=", 1)[1]
    db.session.refresh(point)
    assert service_points.kiosk_key_valid(point, key) and key not in point.kiosk_key_hash
