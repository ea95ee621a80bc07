"""``/api/v1/citizen/…``: what the status page lets a verified complainant do, for an
agency's own app or portal (a ``citizen`` token): reply on the complaint, answer the
satisfaction survey, and ask for a one-time code. Each checks the reference and answer (or
code) as ``/semak`` does, wrong answers counted, and calls the page's own services."""

from __future__ import annotations

from flask import request

from aduan.errors import NotFound
from aduan.languages import citizen_language
from aduan.models import Ticket
from aduan.schemas.citizen import (
    AcceptedSchema,
    CitizenReplySchema,
    CodeRequestSchema,
    ReplyLandedSchema,
    SurveyAnsweredSchema,
    SurveyAnswerSchema,
)
from aduan.services.api_tokens import idempotency
from aduan.services.citizen import code_requests, lookup, merged_replies, survey
from aduan.services.intake import placement as threading
from aduan.services.intake import web_form
from aduan.web.api.blueprint import bp, principal, requires
from aduan.web.api.citizen import LOCKED, AnswerLocked
from aduan.web.api.tickets import body


def _verified(data: dict) -> Ticket:
    """The token's agency's ticket the reference and answer (or code) unlock; else 404 (or
    429 once the reference is locked), the same for every reference."""
    agency_id = principal().agency_id
    found = lookup.open_status(data["reference"], data["answer"], data["code"], agency_id)
    if found.locked:
        raise AnswerLocked(LOCKED, errors={"answer": [LOCKED]})
    if found.ticket is None or found.ticket.agency_id != agency_id:
        raise NotFound("no ticket with this reference and answer")
    return found.ticket


@bp.post("/citizen/replies")
@requires("citizen")
def citizen_reply():
    """The complainant's message on their complaint (``web_form.post_reply``, the status
    page's): on the ticket while it takes messages, else on a new ticket following it up."""
    data = body(CitizenReplySchema())
    ticket = _verified(data)
    key = idempotency.check_key(request.headers.get("Idempotency-Key"))
    provider_id = idempotency.provider_id(principal(), key, "citizen.replies")
    opens_new = not threading.takes_messages(ticket)
    language = citizen_language(ticket.language)
    landed = web_form.post_reply(ticket, provider_id, data["text"].strip(), language)
    own = landed is not None and (
        landed.id == ticket.id or opens_new or merged_replies.same_complainant(ticket, landed)
    )
    answer = {"reference": landed.reference if own else None, "new": opens_new}
    return ReplyLandedSchema(view="citizen").dump(answer), 201


@bp.post("/citizen/survey")
@requires("citizen")
def citizen_survey():
    """The satisfaction rating (1-5) after resolution, once (a second one is 422)."""
    data = body(SurveyAnswerSchema())
    ticket = _verified(data)
    survey.rate(ticket, data["rating"], data["comment"])
    answer = {"reference": ticket.reference, "rating": data["rating"]}
    return SurveyAnsweredSchema(view="citizen").dump(answer), 201


@bp.post("/citizen/status-code")
@requires("citizen")
def citizen_status_code():
    """Send a one-time code to the contact on file (``code_requests``, a job): the answer
    is the same whether or not the reference exists."""
    data = body(CodeRequestSchema())
    code_requests.request(data["reference"], principal().agency_id)
    return AcceptedSchema(view="citizen").dump({"accepted": True}), 202
