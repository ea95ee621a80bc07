"""The citizen side of the API: filing a complaint and the status a complainant may see.

``CitizenStatusSchema`` dumps ``citizen.status.public_status`` — the one list of what a
citizen sees (no notes, no officers, no other tickets)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from aduan.languages import CITIZEN_LANGUAGES
from aduan.models.org import STATE_CODES
from aduan.schemas.views import Strict, Text, TicketDates, ViewSchema
from aduan.vocabulary import PriorityGroup, TicketType


class CitizenComplaintSchema(Strict):
    """The web form's fields (``public/forms.ComplaintForm``), as JSON."""

    description = Text(required=True, validate=validate.Length(min=10, max=5000))
    type = Text(load_default="aduan", validate=validate.OneOf(TicketType.values()))
    category_id = fields.Integer(load_default=None, allow_none=True,
                                 validate=validate.Range(min=1, max=2**31 - 1))  # fmt: skip
    state_code = Text(required=True, validate=validate.OneOf(STATE_CODES))
    district = Text(load_default=None, allow_none=True, validate=validate.Length(max=100))
    priority_group = Text(
        load_default=None, allow_none=True, validate=validate.OneOf(PriorityGroup.values())
    )
    latitude = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-90, 90))
    longitude = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-180, 180))
    name = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    phone = Text(load_default=None, allow_none=True, validate=validate.Length(max=20))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    language = Text(load_default="ms", validate=validate.OneOf(CITIZEN_LANGUAGES))


class FilingSchema(ViewSchema):
    """What a filing answers: the reference, and the PIN once for an anonymous complaint."""

    views = {"citizen": ("reference", "status", "received_at", "pin", "duplicate")}

    reference = Text()
    status = Text()
    received_at = fields.AwareDateTime()
    pin = Text(allow_none=True)
    duplicate = fields.Boolean()


class StatusCheckSchema(Strict):
    reference = Text(required=True, validate=validate.Length(min=1, max=40))
    answer = Text(
        required=True, validate=validate.Length(min=1, max=200),
        metadata={"description": "Last four characters of the phone or e-mail, or the PIN."},
    )  # fmt: skip


class PublicTimelineItemSchema(Schema):
    kind = Text(metadata={"enum": ["in", "out", "status"]})
    text = Text(allow_none=True)
    at = fields.AwareDateTime()


class CitizenStatusSchema(ViewSchema, TicketDates):
    views = {
        "citizen": (
            "reference", "status", "status_label", "type_label", "category", "received_at",
            "acknowledge_due_at", "resolve_due_at", "acknowledged_at", "resolved_at",
            "closed_at", "merged", "timeline",
        )
    }  # fmt: skip

    reference = Text()
    status = Text()
    status_label = Text()
    type_label = Text()
    category = Text(allow_none=True)
    merged = fields.Boolean()
    timeline = fields.List(fields.Nested(PublicTimelineItemSchema))


class _Verified(Strict):
    """The status page's check, on every citizen action: the reference and the answer (the
    last four characters of the phone or e-mail given, or the PIN) or a one-time code."""

    reference = Text(required=True, validate=validate.Length(min=1, max=40))
    answer = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))
    code = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=10))


class CitizenReplySchema(_Verified):
    text = Text(required=True, validate=validate.Length(min=1, max=5000))


class SurveyAnswerSchema(_Verified):
    rating = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = Text(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CodeRequestSchema(Strict):
    reference = Text(required=True, validate=validate.Length(min=1, max=40))


class ReplyLandedSchema(ViewSchema):
    """Where the complainant's reply went: this ticket, or a new one that follows it up
    (``new``); a ticket it was merged into is never named (``reference`` null)."""

    views = {"citizen": ("reference", "new")}

    reference = Text(allow_none=True)
    new = fields.Boolean()


class AcceptedSchema(ViewSchema):
    """The same answer whatever the reference: a code is sent only when it is one of the
    agency's tickets with a contact to send it to."""

    views = {"citizen": ("accepted",)}

    accepted = fields.Boolean()


class SurveyAnsweredSchema(ViewSchema):
    views = {"citizen": ("reference", "rating")}

    reference = Text()
    rating = fields.Integer()
