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
    "Classify": tickets.ClassifySchema,
    "Extend": tickets.ExtendSchema,
    "Unmerge": tickets.UnmergeSchema,
    "Attachment": tickets.AttachmentSchema,
    "CitizenReply": citizen.CitizenReplySchema,
    "ReplyLanded": citizen.ReplyLandedSchema,
    "SurveyAnswer": citizen.SurveyAnswerSchema,
    "SurveyAnswered": citizen.SurveyAnsweredSchema,
    "CodeRequest": citizen.CodeRequestSchema,
    "Accepted": citizen.AcceptedSchema,
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


def _upload() -> dict:
    operation = _op("Add a file to the ticket (kept with an internal note; not sent)", "write",
                    "Attachment", status="201", ref=True)  # fmt: skip
    form = {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"},
        "note": {"type": "string", "maxLength": 2000}}}  # fmt: skip
    operation["requestBody"] = {"required": True,
                                "content": {"multipart/form-data": {"schema": form}}}  # fmt: skip
    return operation


def _download() -> dict:
    operation = _op("Download one of the ticket's files", "read", "Attachment", ref=True,
                    params=[ATTACHMENT_ID])  # fmt: skip
    binary = {"schema": {"type": "string", "format": "binary"}}
    operation["responses"]["200"]["content"] = {"application/octet-stream": binary, "*/*": binary}
    return operation


ATTACHMENT_ID = {"name": "attachment_id", "in": "path", "required": True,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}  # fmt: skip
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
    ("/tickets/{reference}/classification", "post"): _op(
        "Classify: type, category, complexity (a new complexity recomputes the deadlines)",
        "write", "Ticket", body="Classify", ref=True),
    ("/tickets/{reference}/extension", "post"): _op(
        "Extend the resolution deadline (Dipanjangkan; interim reply to the complainant)",
        "write", "Ticket", body="Extend", ref=True),
    ("/tickets/{reference}/unmerge", "post"): _op("Unmerge this ticket", "write", "Ticket",
                                                  body="Unmerge", ref=True),
    ("/tickets/{reference}/attachments", "get"): _op("The ticket's files", "read",
                                                     "Attachment", many=True, ref=True),
    ("/tickets/{reference}/attachments", "post"): _upload(),
    ("/tickets/{reference}/attachments/{attachment_id}", "get"): _download(),
    ("/citizen/replies", "post"): _op(
        "The complainant's reply on their complaint (as the status page)", "citizen",
        "ReplyLanded", status="201", body="CitizenReply", params=[IDEMPOTENCY], tag="citizen"),
    ("/citizen/survey", "post"): _op("The satisfaction survey's answer, once", "citizen",
                                     "SurveyAnswered", status="201", body="SurveyAnswer",
                                     tag="citizen"),
    ("/citizen/status-code", "post"): _op(
        "Send a one-time status code to the complainant's contact (same answer for any "
        "reference)", "citizen", "Accepted", status="202", body="CodeRequest", tag="citizen"),
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
