"""Counter ratings by QR link (issue #18): one screen, no login, one rating per device per
point per hour, a kiosk that many people share, and the wall between agencies."""

from __future__ import annotations

import re

from aduan.extensions import db
from aduan.models.quality import Rating
from tests.builders import gen_agency, gen_unit
from tests.builders_quality import gen_service_point

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _agency(code="MBX"):
    agency = gen_agency(code=code)
    unit = gen_unit(agency)
    agency.triage_unit_id = unit.id
    return agency


def _rate(client, path, **form):
    page = client.get(path)
    assert page.status_code == 200
    token = _TOKEN.search(page.get_data(as_text=True)).group(1)
    return client.post(path, data={"csrf_token": token, **form})


def test_a_citizen_rates_a_counter_by_its_short_link_and_is_thanked(client):
    agency = _agency()
    point = gen_service_point(agency, name="Kaunter Lesen 3")
    db.session.commit()
    response = _rate(client, "/a/MBX/n/kaunter-1?lang=ms", score="4", comment="Mesra.")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Terima kasih! Anda memberi kami 4 daripada 5." in body
    [rating] = db.session.scalars(db.select(Rating)).all()
    assert (rating.service_point_id, rating.score, rating.comment) == (point.id, 4, "Mesra.")
    assert rating.source == "qr" and rating.ticket_id is None


def test_the_same_device_cannot_rate_the_same_point_twice_within_the_hour(client):
    agency = _agency()
    gen_service_point(agency)
    gen_service_point(agency, code="kaunter-2")
    db.session.commit()
    assert _rate(client, "/a/MBX/n/kaunter-1", score="5").status_code == 200
    again = _rate(client, "/a/MBX/n/kaunter-1", score="1")
    assert again.status_code == 429
    assert "sudah menilai titik perkhidmatan ini dalam sejam" in again.get_data(as_text=True)
    assert _rate(client, "/a/MBX/n/kaunter-2", score="3").status_code == 200  # another point
    assert sorted(r.score for r in db.session.scalars(db.select(Rating))) == [3, 5]


def test_a_rating_without_a_face_is_refused_and_keeps_the_comment(client):
    agency = _agency()
    gen_service_point(agency)
    db.session.commit()
    response = _rate(client, "/a/MBX/n/kaunter-1?lang=en", comment="Lama menunggu", contact="x")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose one of the five faces." in body and "Lama menunggu" in body
    assert "Enter a phone number" in body
    assert db.session.scalar(db.select(db.func.count(Rating.id))) == 0


def test_a_point_of_another_agency_or_an_inactive_one_is_not_found(client):
    a = _agency("MBA")
    gen_service_point(a)
    gen_service_point(a, code="lama", active=False)
    _agency("MBB")
    db.session.commit()
    assert client.get("/a/MBA/n/kaunter-1").status_code == 200
    assert client.get("/a/MBB/n/kaunter-1").status_code == 404  # B's path, A's point
    assert client.get("/a/MBA/n/lama").status_code == 404
    assert client.get("/a/MBA/n/tiada").status_code == 404


def test_a_kiosk_takes_one_rating_after_another_and_a_wrong_key_is_refused(client, app_ctx):
    from aduan.services.quality import service_points
    from tests.builders import gen_officer

    agency = _agency()
    point = gen_service_point(agency)
    admin = gen_officer(agency, roles=("admin",))
    key = service_points.new_kiosk_key(admin, point)
    db.session.commit()
    path = f"/a/MBX/n/kaunter-1/kiosk?k={key}"
    page = client.get(path).get_data(as_text=True)
    assert "data-kiosk" in page and "kiosk.js" in page
    for score in ("5", "4", "2"):
        response = _rate(client, path, score=score, k=key)
        assert response.status_code == 200
        assert f'data-thanked="{score}"' in response.get_data(as_text=True)
    assert [r.source for r in db.session.scalars(db.select(Rating))] == ["kiosk"] * 3
    assert client.get("/a/MBX/n/kaunter-1/kiosk?k=salah").status_code == 404
