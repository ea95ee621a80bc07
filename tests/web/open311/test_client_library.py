"""The GeoReport v2 client from PyPI (``georeport``) against the app served on a local port:
the catalogue and a filed request read back in JSON and in XML as a city's app reads them,
and the jurisdiction's wall held (``georeport`` reads only; the filing is posted as its
users post it, form-encoded with the api_key)."""

from __future__ import annotations

import threading

import pytest
import requests
from georeport import GeoReport
from werkzeug.serving import make_server

from aduan.extensions import db
from aduan.models import Ticket
from aduan.services.tickets import workflow
from tests.builders import gen_officer
from tests.web.open311.helpers import filing, two_jurisdictions


@pytest.fixture
def served(app_ctx):
    server = make_server("127.0.0.1", 0, app_ctx, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/open311/v2"
    server.shutdown()


def test_the_georeport_client_reads_services_and_a_filed_request_in_json_and_xml(served):
    (a, _a_category, _a_secret), (b, _b_category, b_secret) = two_jurisdictions()
    as_json = GeoReport(served, jurisdiction="MBPJ")
    as_xml = GeoReport(served, jurisdiction="MBPJ", output_format="xml")

    codes = [service["service_code"] for service in as_json.get_service_list()]
    assert "MBPJ-01" in codes  # B's own category, beside the standard BPA ones
    xml_services = as_xml.get_service_list()
    xml_services = xml_services if isinstance(xml_services, list) else [xml_services]
    assert "MBPJ-01" in [service["service_code"] for service in xml_services]
    definition = as_json.get_service_definition("MBPJ-01")
    assert definition["service_code"] == "MBPJ-01" and definition["attributes"]

    posted = requests.post(
        f"{served}/requests.json",
        params={"jurisdiction_id": "MBPJ"},
        data=filing(b_secret, "MBPJ-01"),
        timeout=10,
    )
    assert posted.status_code == 201, posted.text
    reference = posted.json()[0]["service_request_id"]
    db.session.expire_all()
    ticket = db.session.scalars(db.select(Ticket).where(Ticket.agency_id == b.id)).one()
    assert ticket.reference == reference
    assert (float(ticket.latitude), float(ticket.longitude)) == (3.1073, 101.6067)

    read = as_json.get_service_request(reference)
    assert (read["service_request_id"], read["status"]) == (reference, "open")
    officer = gen_officer(b, units=[ticket.unit])
    workflow.change_status(ticket, "dalam_tindakan", actor=officer)
    workflow.change_status(ticket, "selesai", actor=officer, reason="Pokok dialihkan")
    workflow.commit()
    closed = as_xml.get_service_request(reference)
    assert (closed["service_request_id"], closed["status"]) == (reference, "closed")
    assert closed["status_notes"]  # the status in words
    listed = as_json.get_service_requests(service_request_id=reference, status="closed")
    assert [row["service_request_id"] for row in listed] == [reference]
    assert "siti" not in str(listed).lower()  # no personal data in a public read

    elsewhere = GeoReport(served, jurisdiction=a.code)  # the other jurisdiction sees none of it
    assert reference not in [r["service_request_id"] for r in elsewhere.get_service_requests()]
    assert "MBPJ-01" not in [service["service_code"] for service in elsewhere.get_service_list()]
