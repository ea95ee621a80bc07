"""Routing by area: a rule's polygon or box holds the ticket's map point (``aduan.areas``);
each agency's area rules route only its own tickets."""

from __future__ import annotations

import pytest

from aduan import areas
from aduan.services.tickets import routing
from tests.builders import gen_agency, gen_unit
from tests.builders_routing import gen_reachable_ticket, gen_rule

# Seksyen 14, Petaling Jaya (longitude first, as GeoJSON has it), and a point inside it.
SEKSYEN_14 = {
    "type": "Polygon",
    "coordinates": [[[101.60, 3.10], [101.62, 3.10], [101.62, 3.12], [101.60, 3.12],
                     [101.60, 3.10]]],
}  # fmt: skip
LATITUDE_FIRST = [[[3.10, 101.60], [3.12, 101.60], [3.12, 101.62], [3.10, 101.60]]]
INSIDE = (3.1073, 101.6067)  # (lat, lon)
OUTSIDE = (3.1390, 101.6869)  # Kuala Lumpur


def _ticket(agency, unit, point):
    ticket = gen_reachable_ticket(agency, unit, description="Pokok tumbang")
    if point is not None:
        ticket.latitude, ticket.longitude = point
    return ticket


def _agency_with_area_rule(area):
    agency = gen_agency()
    triage, parks = gen_unit(agency), gen_unit(agency)
    agency.triage_unit_id = triage.id
    gen_rule(agency, 1, {"area": areas.load(area)}, {"unit_id": parks.id}, name="PJ parks")
    return agency, triage, parks


def test_a_point_inside_the_area_is_routed_by_the_rule_and_others_go_to_triage(db):
    agency, triage, parks = _agency_with_area_rule(SEKSYEN_14)
    inside = _ticket(agency, triage, INSIDE)
    on_the_edge = _ticket(agency, triage, (3.10, 101.61))
    outside = _ticket(agency, parks, OUTSIDE)
    no_point = _ticket(agency, parks, None)
    for ticket in (inside, on_the_edge, outside, no_point):
        routing.route(ticket)
    assert (inside.unit_id, on_the_edge.unit_id) == (parks.id, parks.id)
    assert (outside.unit_id, no_point.unit_id) == (triage.id, triage.id)


def test_one_agencys_area_rule_never_routes_another_agencys_ticket_at_the_same_point(db):
    a, _a_triage, a_parks = _agency_with_area_rule(SEKSYEN_14)
    b = gen_agency()
    b_triage = gen_unit(b)
    b.triage_unit_id = b_triage.id
    theirs = _ticket(b, b_triage, INSIDE)
    ours = _ticket(a, a_parks, INSIDE)
    assert routing.route(theirs) is None and theirs.unit_id == b_triage.id
    assert routing.route(ours).name == "PJ parks" and ours.unit_id == a_parks.id


@pytest.mark.parametrize(
    "area",
    [
        "101.60, 3.10, 101.62, 3.12",  # a box as an admin types it
        [101.60, 3.10, 101.62, 3.12],
        {"type": "MultiPolygon", "coordinates": [SEKSYEN_14["coordinates"],
         [[[100.0, 2.0], [100.1, 2.0], [100.1, 2.1], [100.0, 2.0]]]]},  # fmt: skip
        {"type": "FeatureCollection",
         "features": [{"type": "Feature", "properties": {}, "geometry": SEKSYEN_14}]},
    ],
)  # fmt: skip
def test_boxes_multipolygons_and_map_tools_feature_collections_are_areas(db, area):
    agency, triage, parks = _agency_with_area_rule(area)
    inside, outside = _ticket(agency, triage, INSIDE), _ticket(agency, triage, OUTSIDE)
    routing.route(inside)
    routing.route(outside)
    assert (inside.unit_id, outside.unit_id) == (parks.id, triage.id)


def test_an_area_and_a_keyword_must_both_hold(db):
    agency = gen_agency()
    triage, trees = gen_unit(agency), gen_unit(agency)
    agency.triage_unit_id = triage.id
    gen_rule(agency, 1, {"area": SEKSYEN_14, "keywords": ["pokok"]}, {"unit_id": trees.id})
    tree = _ticket(agency, triage, INSIDE)
    lamp = gen_reachable_ticket(agency, triage, description="Lampu jalan rosak")
    lamp.latitude, lamp.longitude = INSIDE
    routing.route(tree)
    routing.route(lamp)
    assert (tree.unit_id, lamp.unit_id) == (trees.id, triage.id)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ('{"type": "Polygon", ', "not valid JSON"),
        ("1, 2, 3", "GeoJSON Polygon or MultiPolygon"),
        ("101.62, 3.10, 101.60, 3.12", "minimum below the maximum"),
        ({"type": "Point", "coordinates": [101.6, 3.1]}, "GeoJSON Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": LATITUDE_FIRST}, "longitude first"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 1], [1, 0], [0, 0]]]}, "cross"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}, "at least four"),
    ],
)
def test_what_is_not_an_area_is_refused_with_the_reason(typed, says):
    with pytest.raises(areas.AreaError) as refused:
        areas.load(typed)
    assert says in refused.value.message
