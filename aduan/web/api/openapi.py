"""The OpenAPI 3.1 document of ``/api/v1``, generated from the schemas (apispec and its
marshmallow plugin), served at ``/api/v1/openapi.json`` with a reference page at
``/api/v1/docs`` rendered here from the same document (no CDN, no script).

``OPERATIONS`` lists every route of the blueprint once; ``tests/web/api/test_openapi.py``
fails when a route is added without its entry, so the document cannot drift from the code.
"""

from __future__ import annotations

from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import render_template

from aduan.schemas import catalog, citizen, problems, tickets
from aduan.web.api.blueprint import bp

JSON = "application/json"
REF = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}
IDEMPOTENCY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": "Retrying with the same key returns the first ticket (header "
    "Idempotent-Replayed: true).",
}  # fmt: skip
SCHEMAS = {
    "Problem": problems.ProblemSchema,
    "Ticket": tickets.TicketSchema,
    "TimelineItem": tickets.TimelineItemSchema,
    "TicketDetail": tickets.TicketDetailSchema,
    "TicketPage": tickets.TicketPageSchema,
    "TicketCreate": tickets.TicketCreateSchema,
    "Reply": tickets.ReplySchema,
    "Note": tickets.NoteSchema,
    "StatusChange": tickets.StatusChangeSchema,
    "Assign": tickets.AssignSchema,
    "Transfer": tickets.TransferSchema,
    "Merge": tickets.MergeSchema,
    "Category": catalog.CategorySchema,
    "Unit": catalog.UnitSchema,
    "Officer": catalog.OfficerSchema,
    "CitizenComplaint": citizen.CitizenComplaintSchema,
    "Filing": citizen.FilingSchema,
    "StatusCheck": citizen.StatusCheckSchema,
    "PublicTimelineItem": citizen.PublicTimelineItemSchema,
    "CitizenStatus": citizen.CitizenStatusSchema,
}


def _op(summary: str, scope: str, response: str, *, status="200", body=None, many=False,
        ref=False, params=(), tag="tickets") -> dict:  # fmt: skip
    schema: dict = {"$ref": f"#/components/schemas/{response}"}
    if many:
        schema = {"type": "object", "required": ["items"],
                  "properties": {"items": {"type": "array", "items": schema}}}  # fmt: skip
    operation = {
        "summary": summary,
        "tags": [tag],
        "description": f"Token scope: `{scope}`.",
        "parameters": [*([REF] if ref else []), *params],
        "responses": {
            status: {"description": summary, "content": {JSON: {"schema": schema}}},
            "default": {
                "description": "A problem (RFC 9457).",
                "content": {"application/problem+json": {"schema": "Problem"}},
            },
        },  # fmt: skip
    }
    if body:
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": body}}}
    return operation


LIST_QUERY = {"in": "query", "schema": tickets.TicketListQuerySchema}
OPERATIONS: dict[tuple[str, str], dict] = {
    ("/tickets", "get"): _op("List tickets (the inbox's queues and filters)", "read",
                             "TicketPage", params=[LIST_QUERY]),
    ("/tickets", "post"): _op("Record a complaint (counter, phone or integration)", "write",
                              "Ticket", status="201", body="TicketCreate", params=[IDEMPOTENCY]),
    ("/tickets/{reference}", "get"): _op("A ticket with its timeline", "read", "TicketDetail",
                                         ref=True),
    ("/tickets/{reference}/replies", "post"): _op(
        "Reply on the complainant's channel", "write", "Ticket", status="201", body="Reply",
        ref=True),
    ("/tickets/{reference}/notes", "post"): _op("Add an internal note", "write", "Ticket",
                                                status="201", body="Note", ref=True),
    ("/tickets/{reference}/status", "post"): _op("Change the status", "write", "Ticket",
                                                 body="StatusChange", ref=True),
    ("/tickets/{reference}/assignment", "post"): _op("Assign or unassign", "write", "Ticket",
                                                     body="Assign", ref=True),
    ("/tickets/{reference}/transfer", "post"): _op("Transfer to another unit", "write",
                                                   "Ticket", body="Transfer", ref=True),
    ("/tickets/{reference}/merge", "post"): _op("Merge a duplicate into this ticket", "write",
                                                "Ticket", body="Merge", ref=True),
    ("/categories", "get"): _op("The agency's categories", "read", "Category", many=True,
                                tag="catalog"),
    ("/units", "get"): _op("The agency's units", "read", "Unit", many=True, tag="catalog"),
    ("/officers", "get"): _op("The agency's officers", "read", "Officer", many=True,
                              tag="catalog"),
    ("/citizen/complaints", "post"): _op("File a complaint for a citizen", "citizen", "Filing",
                                         status="201", body="CitizenComplaint",
                                         params=[IDEMPOTENCY], tag="citizen"),
    ("/citizen/status", "post"): _op("Check a complaint's status (reference and answer)",
                                     "citizen", "CitizenStatus", body="StatusCheck",
                                     tag="citizen"),
}  # fmt: skip
UNDOCUMENTED = ("/openapi.json", "/docs")  # the document and its page


@cache
def document() -> dict:
    """The OpenAPI 3.1 document (built once per process: it depends on code only)."""
    spec = APISpec(
        title="Aduan API", version="1.0.0", openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": "Complaint tickets of one agency, as its officers, integrations "
                             "and citizens see them. See docs/api.md."},
        servers=[{"url": "/api/v1"}],
        security=[{"bearerAuth": []}, {"officerSession": []}],
    )  # fmt: skip
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme(
        "officerSession", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema=schema)
    paths: dict[str, dict] = {}
    for (path, method), operation in OPERATIONS.items():
        paths.setdefault(path, {})[method] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi_document():
    return document()


@bp.get("/docs")
def docs_page():
    return render_template("api/docs.html", spec=document())
