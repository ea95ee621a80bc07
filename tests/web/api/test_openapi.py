"""The OpenAPI document is generated from the schemas and lists every route of /api/v1; the
reference page renders from it without anything fetched from elsewhere."""

from __future__ import annotations

import re

from aduan.schemas.tickets import QUEUES as LIST_QUEUES
from aduan.schemas.views import AUDIENCES
from aduan.services.inbox.queries import QUEUES
from aduan.web.api.openapi import OPERATIONS, UNDOCUMENTED


def _routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api_v1."):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)[len("/api/v1") :]
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                found.add((path, method.lower()))
    return found


def test_every_api_route_is_in_the_document_and_nothing_else(app):
    documented = set(OPERATIONS) | {(path, "get") for path in UNDOCUMENTED}
    assert _routes(app) == documented


def test_the_document_is_openapi_3_1_and_served(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    paths = {(p, m) for p, ops in document["paths"].items() for m in ops}
    assert paths == set(OPERATIONS)
    ticket = document["components"]["schemas"]["Ticket"]["properties"]
    assert {"reference", "status", "version", "filer_name"} <= set(ticket)
    for operation in (op for ops in document["paths"].values() for op in ops.values()):
        assert "application/problem+json" in operation["responses"]["default"]["content"]


def test_the_docs_page_needs_no_other_site(client):
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "/tickets/{reference}/merge" in html and "TicketCreate" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)


def test_each_resource_schema_names_its_audiences_and_the_list_queues_match_the_inbox():
    from aduan.schemas import catalog, citizen, tickets

    for schema in (tickets.TicketSchema, catalog.CategorySchema, catalog.OfficerSchema,
                   catalog.UnitSchema, citizen.CitizenStatusSchema):  # fmt: skip
        assert set(schema.views) <= set(AUDIENCES)
        for fields in schema.views.values():
            assert set(fields) <= set(schema._declared_fields)
    assert "filer_name" not in tickets.TicketSchema.views["integration"]
    assert tuple(LIST_QUEUES) == tuple(QUEUES)
