"""``/api/v1/citizen``: an agency's own app or portal files complaints and checks a status
on a citizen's behalf (a token with the ``citizen`` scope). The same services as the public
form and ``/semak``: ``intake.web_form`` (filed with the token's agency) and
``citizen.lookup`` (the answer guard included); the status is ``citizen.status``'s one list."""

from __future__ import annotations

from flask import request

from aduan.errors import DomainError, NotFound, ValidationFailed
from aduan.extensions import db
from aduan.languages import citizen_language
from aduan.models import Agency
from aduan.models.api import ApiToken
from aduan.schemas.citizen import (
    CitizenComplaintSchema,
    CitizenStatusSchema,
    FilingSchema,
    StatusCheckSchema,
)
from aduan.services.api_tokens import idempotency
from aduan.services.citizen import lookup
from aduan.services.citizen import status as status_lookup
from aduan.services.intake import web_form
from aduan.web.api.blueprint import bp, principal, requires
from aduan.web.api.tickets import body

ENDPOINT = "citizen.complaints"
BAD_PHONE = "Enter a Malaysian mobile number, e.g. 012-345 6789."
LOCKED = "Too many wrong answers for this reference: ask for a one-time code on the status page."


class AnswerLocked(DomainError):
    """Too many wrong answers on this reference (``citizen.answer_guard``)."""

    status = 429
    code = "answer_locked"


@bp.post("/citizen/complaints")
@requires("citizen")
def file_complaint():
    token: ApiToken = principal()
    key = idempotency.check_key(request.headers.get("Idempotency-Key"))
    again = idempotency.replay(token, key, ENDPOINT)
    if again is not None:
        return _filed(web_form.Filing(again, duplicate=True), {"Idempotent-Replayed": "true"})
    data = body(CitizenComplaintSchema())
    filing = web_form.file_complaint(
        idempotency.provider_id(token, key, ENDPOINT),
        _form(data),
        db.session.get(Agency, token.agency_id),
    )
    if filing.ticket is None:
        raise ValidationFailed("the complaint was stored and will be opened shortly",
                               errors={"_form": ["not opened yet"]})  # fmt: skip
    idempotency.remember(token, key, ENDPOINT, filing.ticket)
    return _filed(filing, {"Idempotent-Replayed": "true"} if filing.duplicate else {})


def _form(data: dict) -> web_form.ComplaintForm:
    phone = _phone(data["phone"])
    email = (data["email"] or "").strip().lower() or None
    kind, handle = ("email", email) if email else ("phone", phone) if phone else (None, None)
    fields = {
        name: data[name]
        for name in ("type", "category_id", "state_code", "district", "priority_group",
                     "latitude", "longitude")
    }  # fmt: skip
    return web_form.ComplaintForm(
        text=data["description"].strip(), language=data["language"], contact_kind=kind,
        contact_handle=handle, phone=phone, sender_name=(data["name"] or "").strip() or None,
        fields=fields,
    )  # fmt: skip


def _phone(raw: str | None) -> str | None:
    return web_form.filer_phone(raw, BAD_PHONE)


def _filed(filing: web_form.Filing, headers: dict):
    data = FilingSchema(view="citizen").dump(
        {**{k: getattr(filing.ticket, k) for k in ("reference", "status", "received_at")},
         "pin": filing.pin, "duplicate": filing.duplicate}
    )  # fmt: skip
    return data, 201, headers


@bp.post("/citizen/status")
@requires("citizen")
def check_status():
    """The citizen's view of a ticket of the token's agency, after the reference and answer
    (the status page's check, wrong answers counted); otherwise 404, the same for all."""
    data = body(StatusCheckSchema())
    found = lookup.open_status(data["reference"], data["answer"], agency_id=principal().agency_id)
    if found.locked:
        raise AnswerLocked(LOCKED, errors={"answer": [LOCKED]})
    if found.ticket is None or found.ticket.agency_id != principal().agency_id:
        raise NotFound("no ticket with this reference and answer")
    info = status_lookup.public_status(found.ticket, citizen_language(found.ticket.language))
    return CitizenStatusSchema(view="citizen").dump(info)
