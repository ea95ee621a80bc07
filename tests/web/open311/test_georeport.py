"""Open311 GeoReport v2: each agency a jurisdiction; JSON and XML in the standard's shapes;
a request filed through intake on the ``open311`` channel (one ticket, acknowledged); reads in
the citizen's view, only the jurisdiction's own."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

from flask_babel import refresh

from aduan.extensions import db
from aduan.models import InboundEvent, OutboundMessage, Ticket
from aduan.services.tickets import workflow
from tests.builders import gen_officer, gen_ticket, gen_unit
from tests.web.api.builders import gen_token
from tests.web.open311.helpers import (
    ATTRIBUTE,
    BASE,
    REQUEST,
    SERVICE,
    filing,
    parse_list,
    two_jurisdictions,
)


def _tickets(agency_id: int) -> list[Ticket]:
    return db.session.scalars(db.select(Ticket).where(Ticket.agency_id == agency_id)).all()


def test_each_jurisdiction_lists_only_its_own_categories_as_services_in_json_and_xml(client):
    (a, a_category, _), (b, b_category, _) = two_jurisdictions()
    a_category.name_ms = a_category.name_en = "Kategori khas agensi A"
    db.session.commit()
    listed = client.get(f"{BASE}/services.json?jurisdiction_id=MBPJ&lang=en")
    assert listed.status_code == 200 and listed.mimetype == "application/json"
    assert all(list(service) == SERVICE for service in listed.json)
    services = {s["service_code"]: s for s in listed.json}
    assert services["MBPJ-01"] == {
        "service_code": "MBPJ-01", "service_name": "Fallen tree",
        "description": "Fallen tree, handled by Majlis Bandaraya Petaling Jaya.",
        "metadata": True, "type": "realtime", "keywords": "Fallen tree, Pokok Tumbang",
        "group": "Majlis Bandaraya Petaling Jaya",
    }  # fmt: skip
    assert "Kategori khas agensi A" not in listed.get_data(as_text=True)
    refresh()  # the test's app context keeps the first request's language
    xml = client.get(f"{BASE}/services.xml?jurisdiction_id=mbpj&lang=ms")
    assert xml.mimetype == "application/xml"
    assert xml.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    rows = {r["service_code"]: r for r in parse_list(xml.data, "services", "service", SERVICE)}
    assert set(rows) == set(services)
    row = rows["MBPJ-01"]
    assert (row["service_name"], row["metadata"], row["type"]) == ("Pokok Tumbang", "true",
                                                                   "realtime")  # fmt: skip
    own = client.get(f"{BASE}/services.json?jurisdiction_id=DEF").get_data(as_text=True)
    assert "Kategori khas agensi A" in own and "MBPJ-01" not in own


def test_a_service_definition_offers_the_form_fields_as_attributes(client):
    two_jurisdictions()
    definition = client.get(f"{BASE}/services/MBPJ-01.json?jurisdiction_id=MBPJ").json
    assert definition["service_code"] == "MBPJ-01"
    codes = [a["code"] for a in definition["attributes"]]
    assert codes == ["type", "state_code", "district", "priority_group"]
    state = definition["attributes"][1]
    assert list(state) == ATTRIBUTE and state["datatype"] == "singlevaluelist"
    assert {"key": "10", "name": "Selangor"} in state["values"]
    answer = client.get(f"{BASE}/services/MBPJ-01.xml?jurisdiction_id=MBPJ").data
    xml = ET.fromstring(answer)  # noqa: S314 - our own server's answer
    assert xml.tag == "service_definition" and xml.find("service_code").text == "MBPJ-01"
    attributes = xml.find("attributes").findall("attribute")
    assert [[c.tag for c in a] for a in attributes] == [ATTRIBUTE] * 4
    values = attributes[0].find("values").findall("value")
    assert [(v.find("key").text, v.find("name").text) for v in values][0] == ("aduan", "Aduan")


def test_errors_are_the_standards_list_with_the_http_status_in_each_format(client):
    two_jurisdictions()
    missing = client.get(f"{BASE}/services/MBPJ-01.json?jurisdiction_id=DEF&lang=en")
    assert missing.status_code == 404
    assert missing.json == [{"code": 404, "description": "service_code not found."}]
    nowhere = client.get(f"{BASE}/services.xml?jurisdiction_id=NOPE")
    assert nowhere.status_code == 404
    (error,) = parse_list(nowhere.data, "errors", "error", ["code", "description"])
    assert error["code"] == "404" and error["description"] == (
        "jurisdiction_id was not provided or not found.")  # fmt: skip
    assert client.get(f"{BASE}/services.json").status_code == 404  # which jurisdiction?
    bad = client.get(f"{BASE}/requests.json?jurisdiction_id=MBPJ&start_date=kelmarin")
    assert bad.status_code == 400 and bad.json[0]["code"] == 400


def test_a_filed_request_is_one_ticket_acknowledged_and_read_back_closed_once_resolved(client):
    _a, (b, b_category, b_secret) = two_jurisdictions()
    response = client.post(
        f"{BASE}/requests.json?jurisdiction_id=MBPJ",
        data=filing(
            b_secret,
            "MBPJ-01",
            **{"attribute[district]": "Petaling", "attribute[state_code]": "10"},
        ),
    )
    assert response.status_code == 201, response.data
    (answer,) = response.json
    (ticket,) = _tickets(b.id)
    assert answer["service_request_id"] == ticket.reference
    assert ticket.reference in answer["service_notice"] and answer["account_id"] is None
    assert (ticket.origin_channel, ticket.category_id) == ("open311", b_category.id)
    assert (ticket.state_code, ticket.district) == ("10", "Petaling")
    assert abs(ticket.latitude - 3.1073) < 1e-6 and ticket.filer_name == "Siti Aminah"
    assert ticket.resolve_due_at is not None and ticket.unit_id is not None  # routed, promised
    (ack,) = db.session.scalars(db.select(OutboundMessage)).all()
    assert (ack.purpose, ack.channel, ack.to_handle) == ("acknowledgement", "email", "siti@mel.my")
    assert ack.account_key == "mbpj-mail" and ticket.reference in ack.body
    assert db.session.scalar(db.select(db.func.count(InboundEvent.id))) == 1
    token = client.get(f"{BASE}/tokens/{answer['token']}.json?jurisdiction_id=MBPJ").json
    assert token == [{"service_request_id": ticket.reference, "token": answer["token"]}]

    (read,) = client.get(f"{BASE}/requests/{ticket.reference}.json?jurisdiction_id=MBPJ").json
    assert list(read) == REQUEST and read["status"] == "open"
    assert (read["service_code"], read["agency_responsible"]) == ("MBPJ-01", b.name)
    officer = gen_officer(b, units=[ticket.unit])
    workflow.change_status(ticket, "dalam_tindakan", actor=officer)
    workflow.change_status(ticket, "selesai", actor=officer, reason="Pokok dialihkan")
    workflow.commit()
    closed = client.get(f"{BASE}/requests.json?jurisdiction_id=MBPJ&status=closed&lang=ms").json
    assert [(r["service_request_id"], r["status"], r["status_notes"]) for r in closed] == [
        (ticket.reference, "closed", "Selesai")]  # fmt: skip
    assert client.get(f"{BASE}/requests.json?jurisdiction_id=MBPJ&status=open").json == []
    refresh()  # the test's app context keeps the first request's language
    xml = client.get(f"{BASE}/requests/{ticket.reference}.xml?jurisdiction_id=MBPJ&lang=en")
    (row,) = parse_list(xml.data, "service_requests", "request", REQUEST)
    assert (row["service_request_id"], row["status"], row["status_notes"]) == (
        ticket.reference, "closed", "Resolved")  # fmt: skip


def test_reads_show_no_personal_data_of_the_filing(client):
    _a, (b, _c, b_secret) = two_jurisdictions()
    client.post(f"{BASE}/requests.xml?jurisdiction_id=MBPJ",
                data=filing(b_secret, "MBPJ-01", phone="012-345 6789"))  # fmt: skip
    (ticket,) = _tickets(b.id)
    for fmt in ("json", "xml"):
        text = client.get(f"{BASE}/requests.{fmt}?jurisdiction_id=MBPJ").get_data(as_text=True)
        assert ticket.reference in text
        for private in ("Siti", "siti@mel.my", "6789", "Pokok tumbang menghalang", "3.1073"):
            assert private not in text, (fmt, private)


def test_a_filing_answers_in_xml_as_the_standard_shows(client):
    _a, (b, _c, b_secret) = two_jurisdictions()
    response = client.post(
        f"{BASE}/requests.xml?jurisdiction_id=MBPJ",
        data=filing(
            b_secret, "MBPJ-01", lat="", long="", address_string="Jalan Templer, Petaling Jaya"
        ),
    )
    assert response.status_code == 201
    (row,) = parse_list(
        response.data,
        "service_requests",
        "request",
        ["service_request_id", "token", "service_notice", "account_id"],
    )
    (ticket,) = _tickets(b.id)
    assert row["service_request_id"] == ticket.reference and row["account_id"] is None
    assert "Jalan Templer, Petaling Jaya" in ticket.description  # the officer reads it
    assert ticket.address == "Jalan Templer, Petaling Jaya"


def test_a_filing_needs_a_location_a_known_service_and_valid_attributes(client):
    _a, (b, _c, b_secret) = two_jurisdictions()
    cases = [
        filing(b_secret, "MBPJ-01", lat="", long=""),
        filing(b_secret, "NOPE"),
        filing(b_secret, "MBPJ-01", **{"attribute[state_code]": "99"}),
        filing(b_secret, "MBPJ-01", **{"attribute[colour]": "red"}),
        filing(b_secret, "MBPJ-01", email="bukan-emel"),
        filing(b_secret, "MBPJ-01", phone="123"),
    ]
    for data in cases:
        response = client.post(f"{BASE}/requests.json?jurisdiction_id=MBPJ", data=data)
        assert response.status_code == 400, (data, response.data)
        assert response.json[0]["code"] == 400
    assert _tickets(b.id) == [] and db.session.scalar(db.select(InboundEvent.id)) is None


def test_an_api_key_files_only_in_its_own_jurisdiction_and_only_with_the_citizen_scope(client):
    (a, a_category, a_secret), (b, _c, b_secret) = two_jurisdictions()
    _t, read_only = gen_token(b, scopes=("read", "write"))
    attempts = [
        ("DEF", filing(b_secret, a_category.code)),  # B's key at A
        ("MBPJ", filing(a_secret, "MBPJ-01")),  # A's key at B
        ("MBPJ", filing(read_only, "MBPJ-01")),  # B's key without the citizen scope
        ("MBPJ", filing("adn_tiada", "MBPJ-01")),
        ("MBPJ", {k: v for k, v in filing(b_secret, "MBPJ-01").items() if k != "api_key"}),
    ]
    for code, data in attempts:
        response = client.post(f"{BASE}/requests.json?jurisdiction_id={code}", data=data)
        assert response.status_code == 403, (code, response.data)
        assert response.json[0]["code"] == 403
    assert db.session.scalar(db.select(Ticket.id)) is None
    assert db.session.scalar(db.select(InboundEvent.id)) is None


def test_a_jurisdiction_reads_none_of_another_agencys_requests(client):
    (a, a_category, a_secret), (b, _c, b_secret) = two_jurisdictions()
    theirs = gen_ticket(a, gen_unit(a), category=a_category, description="Rahsia agensi A",
                        received_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))  # fmt: skip
    db.session.commit()
    own = client.get(f"{BASE}/requests.json?jurisdiction_id=DEF").json
    assert [r["service_request_id"] for r in own] == [theirs.reference]  # A sees its own
    ref = theirs.reference
    for path in (
        f"requests.json?jurisdiction_id=MBPJ&service_request_id={ref}",
        "requests.json?jurisdiction_id=MBPJ",
        f"requests.json?jurisdiction_id=MBPJ&service_code={a_category.code}",
    ):
        assert client.get(f"{BASE}/{path}").json == [], path
    on_b = client.get(f"{BASE}/requests/{ref}.json?jurisdiction_id=MBPJ")
    missing = client.get(f"{BASE}/requests/ADU-2026-AAAAAA.json?jurisdiction_id=MBPJ")
    assert on_b.status_code == missing.status_code == 404 and on_b.json == missing.json
    filed = client.post(f"{BASE}/requests.json?jurisdiction_id=MBPJ",
                        data=filing(b_secret, "MBPJ-01")).json[0]  # fmt: skip
    assert client.get(f"{BASE}/tokens/{filed['token']}.json?jurisdiction_id=DEF").status_code == 404


def test_the_date_filters_take_w3c_times_and_at_most_ninety_days(client):
    (a, a_category, _), _b = two_jurisdictions()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    old = gen_ticket(a, gen_unit(a), category=a_category, received_at=now - dt.timedelta(days=40))
    new = gen_ticket(a, gen_unit(a), category=a_category, received_at=now - dt.timedelta(days=2))
    db.session.commit()

    def refs(query: str) -> list[str]:
        response = client.get(f"{BASE}/requests.json?jurisdiction_id=DEF&{query}")
        assert response.status_code == 200, response.data
        return [r["service_request_id"] for r in response.json]

    assert refs("") == [new.reference, old.reference]
    start = (now - dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert refs(f"start_date={start}") == [new.reference]
    assert refs(f"end_date={start}") == [old.reference]
    assert refs(f"service_code=ZZZ,{a_category.code}") == [new.reference, old.reference]
    assert refs(f"service_request_id={old.reference},{new.reference}&status=closed") == [
        new.reference, old.reference]  # ids override the other filters  # fmt: skip
    wide = client.get(f"{BASE}/requests.json?jurisdiction_id=DEF&start_date=2026-01-01T00:00:00Z"
                      "&end_date=2026-06-01T00:00:00Z")  # fmt: skip
    assert wide.status_code == 400


def test_discovery_names_the_endpoint_its_formats_and_where_a_key_comes_from(client):
    listed = client.get(f"{BASE}/discovery.json?lang=en")
    assert listed.status_code == 200 and listed.mimetype == "application/json"
    document = listed.json
    (endpoint,) = document["endpoints"]
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "http://localhost/open311/v2", "changeset": document["changeset"],
        "type": "production", "formats": ["text/xml", "application/json"],
    }  # fmt: skip
    assert "citizen scope" in document["key_service"]
    refresh()
    answer = client.get(f"{BASE}/discovery.xml?lang=ms").data
    xml = ET.fromstring(answer)  # noqa: S314 - our own server's answer
    assert xml.tag == "discovery" and xml.findtext("changeset") == document["changeset"]
    (node,) = xml.find("endpoints").findall("endpoint")
    assert node.findtext("url") == "http://localhost/open311/v2"
    assert [f.text for f in node.find("formats").findall("format")] == [
        "text/xml", "application/json"]  # fmt: skip
    assert "skop warganegara" in xml.findtext("key_service")
