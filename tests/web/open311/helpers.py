"""Two jurisdictions for the Open311 tests, a filing's form, and a strict reader of the
standard's XML shapes (ElementTree, independent of the server's own writer)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from aduan.extensions import db
from tests.web.api.builders import gen_token
from tests.web.public.helpers import setup_agency, setup_second_agency

BASE = "/open311/v2"
# The elements of each item, in the standard's examples (GeoReport v2).
SERVICE = ["service_code", "service_name", "description", "metadata", "type", "keywords",
           "group"]  # fmt: skip
REQUEST = ["service_request_id", "status", "status_notes", "service_name", "service_code",
           "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
           "expected_datetime"]  # fmt: skip
ATTRIBUTE = ["variable", "code", "datatype", "required", "datatype_description", "order",
             "description", "values"]  # fmt: skip


def two_jurisdictions():
    """A (``DEF``, the default agency) and B (``MBPJ``, its own mailbox), with a citizen
    token each: (agency, category, secret) per side."""
    a, a_category = setup_agency()
    b, b_category = setup_second_agency()
    _t, a_secret = gen_token(a, scopes=("citizen",))
    _t, b_secret = gen_token(b, scopes=("citizen",))
    db.session.commit()
    return (a, a_category, a_secret), (b, b_category, b_secret)


def filing(secret: str, service_code: str, **extra) -> dict:
    return {
        "api_key": secret, "service_code": service_code, "lat": "3.1073", "long": "101.6067",
        "description": "Pokok tumbang menghalang jalan di Seksyen 14.",
        "email": "siti@mel.my", "first_name": "Siti", "last_name": "Aminah", **extra,
    }  # fmt: skip


def parse_list(body: bytes, root: str, item: str, fields: list[str]) -> list[dict]:
    """``<root><item>…</item>…</root>`` with exactly ``fields`` (in order) in every item."""
    tree = ET.fromstring(body)  # noqa: S314 - our own server's answer
    assert tree.tag == root, tree.tag
    rows = []
    for element in tree:
        assert element.tag == item, element.tag
        assert [child.tag for child in element] == fields, [c.tag for c in element]
        rows.append({child.tag: child.text for child in element})
    return rows
