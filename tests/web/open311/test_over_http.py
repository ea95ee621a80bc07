"""A GeoReport client's whole round over real HTTP: the app served on a local port and
called as GeoReport clients call (form-encoded POST, ``jurisdiction_id`` on every call), the
XML read with ElementTree against the standard's shapes.

The PyPI client itself (``georeport``, which only reads) is used in test_client_library; this
test also files over HTTP and checks the XML against the standard's shapes."""

from __future__ import annotations

import threading

import requests
from werkzeug.serving import make_server

from aduan.extensions import db
from aduan.models import OutboundMessage, Ticket
from aduan.services.tickets import workflow
from tests.builders import gen_officer
from tests.web.open311.helpers import (
    ATTRIBUTE,
    REQUEST,
    SERVICE,
    filing,
    parse_list,
    two_jurisdictions,
)


def test_a_georeport_client_files_and_follows_a_request_over_http(app_ctx):
    _a, (b, _c, b_secret) = two_jurisdictions()
    server = make_server("127.0.0.1", 0, app_ctx, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    root = f"http://127.0.0.1:{server.server_port}/open311/v2"
    where = {"jurisdiction_id": "MBPJ"}
    try:
        services = requests.get(f"{root}/services.xml", params=where, timeout=10)
        codes = [r["service_code"] for r in parse_list(services.content, "services", "service",
                                                       SERVICE)]  # fmt: skip
        assert "MBPJ-01" in codes
        definition = requests.get(f"{root}/services/MBPJ-01.xml", params=where, timeout=10)
        assert definition.headers["Content-Type"].startswith("application/xml")
        assert b"<datatype>singlevaluelist</datatype>" in definition.content
        assert all(f"<{name}>".encode() in definition.content for name in ATTRIBUTE)
        posted = requests.post(
            f"{root}/requests.xml",
            params=where,
            timeout=10,
            data=filing(b_secret, "MBPJ-01", **{"attribute[type]": "aduan"}),
        )
        assert posted.status_code == 201, posted.text
        (answer,) = parse_list(
            posted.content,
            "service_requests",
            "request",
            ["service_request_id", "token", "service_notice", "account_id"],
        )
        reference = answer["service_request_id"]
        db.session.expire_all()
        ticket = db.session.scalars(db.select(Ticket).where(Ticket.agency_id == b.id)).one()
        assert ticket.reference == reference
        ack = db.session.scalars(db.select(OutboundMessage)).one()
        assert (ack.purpose, ack.to_handle) == ("acknowledgement", "siti@mel.my")
        officer = gen_officer(b, units=[ticket.unit])
        workflow.change_status(ticket, "dalam_tindakan", actor=officer)
        workflow.change_status(ticket, "selesai", actor=officer, reason="Pokok dialihkan")
        workflow.commit()
        listed = requests.get(
            f"{root}/requests.xml", timeout=10, params={**where, "service_request_id": reference}
        )
        (row,) = parse_list(listed.content, "service_requests", "request", REQUEST)
        assert (row["service_request_id"], row["status"]) == (reference, "closed")
        one = requests.get(f"{root}/requests/{reference}.json", params=where, timeout=10).json()
        assert one[0]["status"] == "closed" and "siti" not in str(one).lower()
        token = requests.get(f"{root}/tokens/{answer['token']}.json", params=where, timeout=10)
        assert token.json()[0]["service_request_id"] == reference
    finally:
        server.shutdown()
