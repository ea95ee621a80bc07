"""The routing rule's area on the admin page and the JSON API: GeoJSON or a box typed in,
kept normalised, shown again for editing; what is not an area is refused with its reason in
the admin's language."""

from __future__ import annotations

import json

from flask_babel import refresh

from aduan.extensions import db
from aduan.models.routing import RoutingRule
from tests.web.admin.helpers import post, setup, token

RULES = "/api/admin/routing-rules"
SEKSYEN_14 = {
    "type": "Polygon",
    "coordinates": [[[101.60, 3.10], [101.62, 3.10], [101.62, 3.12], [101.60, 3.12],
                     [101.60, 3.10]]],
}  # fmt: skip
CROSSING = '{"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 1], [1, 0], [0, 0]]]}'


def _form(s, **extra) -> dict:
    return {"name": "Taman PJ", "position": "1", "active": "1", "act_unit_id": str(s.unit.id),
            **extra}  # fmt: skip


def _rule(name: str) -> RoutingRule:
    return db.session.scalar(db.select(RoutingRule).where(RoutingRule.name == name))


def test_an_area_typed_on_the_page_is_kept_and_shown_again(client):
    s = setup(client)
    feature = {"type": "Feature", "properties": {}, "geometry": SEKSYEN_14}  # geojson.io's
    created = post(client, "/admin/routing-rules/new", _form(s, cond_area=json.dumps(feature)))
    assert created.status_code == 303
    rule = _rule("Taman PJ")
    assert rule.conditions["area"] == SEKSYEN_14
    edit = client.get(f"/admin/routing-rules/{rule.id}").get_data(as_text=True)
    assert 'name="cond_area"' in edit and "101.62" in edit
    listing = client.get("/admin/routing-rules").get_data(as_text=True)
    assert "Kawasan peta" in listing

    edit_url = f"/admin/routing-rules/{rule.id}"
    assert post(client, edit_url, _form(s, cond_area="101.6,3.1,101.62,3.12")).status_code == 303
    db.session.refresh(rule)
    assert rule.conditions["area"] == [101.6, 3.1, 101.62, 3.12]
    assert post(client, edit_url, _form(s, cond_area="  ")).status_code == 303
    db.session.refresh(rule)
    assert "area" not in rule.conditions


def test_what_is_not_an_area_is_refused_with_its_reason_in_malay_and_english(client):
    s = setup(client)
    page = post(client, "/admin/routing-rules/new", _form(s, cond_area=CROSSING))
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and 'id="cond_area-error"' in html
    assert "Sisi poligon bersilang antara satu sama lain" in html
    refresh()  # the test's app context keeps the first request's language
    english = post(
        client, "/admin/routing-rules/new?lang=en", _form(s, cond_area="1, 2, 3"),
        "/admin/routing-rules/new?lang=en",
    )  # fmt: skip
    assert english.status_code == 422
    assert "Enter a GeoJSON Polygon or MultiPolygon, or a box" in english.get_data(as_text=True)
    assert _rule("Taman PJ") is None


def test_the_json_api_takes_the_area_as_geojson_and_says_why_one_is_refused(client):
    s = setup(client)
    headers = {"X-CSRFToken": token(client, "/admin/"), "X-Requested-With": "XMLHttpRequest"}
    body = {"name": "Taman PJ", "conditions": {"area": SEKSYEN_14},
            "actions": {"unit_id": s.unit.id}}  # fmt: skip
    created = client.post(RULES, json=body, headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["conditions"]["area"] == SEKSYEN_14
    bad = {**body, "name": "Salah", "conditions": {"area": [101.62, 3.1, 101.6, 3.12]}}
    refused = client.post(RULES, json=bad, headers=headers)
    assert refused.status_code == 422
    (reason,) = refused.json["errors"]["conditions"]["area"]
    assert reason.startswith("Kotak ialah empat nombor")
