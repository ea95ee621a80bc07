"""A ticket, its timeline, and what the API accepts to change one, with each audience's view.

The citizen sees a ticket only through ``CitizenStatusSchema`` (``schemas/citizen.py``);
``citizen`` here is what a filing answers with.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from aduan.languages import CITIZEN_LANGUAGES
from aduan.schemas.views import Strict, Text, TicketDates, ViewSchema
from aduan.vocabulary import Complexity, TicketStatus, TicketType

_PUBLIC = ("reference", "status", "type", "received_at", "acknowledge_due_at", "resolve_due_at")
_WORK = (
    *_PUBLIC, "id", "category_id", "unit_id", "assignee_id", "origin_channel", "subject",
    "description", "language", "state_code", "district", "priority_group", "complexity",
    "acknowledged_at", "resolved_at", "closed_at", "merged_into_id", "version", "updated_at",
)  # fmt: skip


class TicketSchema(ViewSchema, TicketDates):
    views = {
        "citizen": _PUBLIC,
        "integration": _WORK,  # no filer name: an integration works the case, not the person
        "officer": (*_WORK, "filer_name"),
        "admin": (*_WORK, "filer_name"),
    }

    id = fields.Integer()
    reference = fields.String()
    status = fields.String(metadata={"enum": TicketStatus.values()})
    type = fields.String(metadata={"enum": TicketType.values()})
    category_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    origin_channel = fields.String()
    subject = fields.String()
    description = fields.String()
    language = fields.String()
    state_code = fields.String(allow_none=True)
    district = fields.String(allow_none=True)
    priority_group = fields.String(allow_none=True)
    complexity = fields.String()
    filer_name = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime()
    merged_into_id = fields.Integer(allow_none=True)
    version = fields.Integer()


class TimelineItemSchema(ViewSchema):
    """One line of the timeline: a message (``in``/``out``/``note``) or an event."""

    views = {
        "integration": ("kind", "at", "channel", "body", "event", "actor_kind", "data"),
        "officer": ("kind", "at", "channel", "body", "event", "actor_kind", "author_id", "data"),
        "admin": ("kind", "at", "channel", "body", "event", "actor_kind", "author_id", "data"),
    }

    kind = fields.String(metadata={"enum": ["in", "out", "note", "event"]})
    at = fields.AwareDateTime()
    channel = fields.String(allow_none=True)
    body = fields.String(allow_none=True)
    event = fields.String(allow_none=True)
    actor_kind = fields.String(allow_none=True)
    author_id = fields.Integer(allow_none=True)
    data = fields.Dict(allow_none=True)


class TicketDetailSchema(TicketSchema):
    """A ticket with its timeline (``GET /tickets/{reference}``)."""

    views = {k: (*v, "timeline") for k, v in TicketSchema.views.items() if k != "citizen"}
    timeline = fields.List(fields.Nested(TimelineItemSchema))


class TicketPageSchema(Schema):
    items = fields.List(fields.Nested(TicketSchema))
    next_cursor = fields.String(allow_none=True)


# --- what the API accepts -------------------------------------------------------------------


class TicketCreateSchema(Strict):
    """A complaint recorded for the agency (``intake.counter_entry``): at a counter, by phone,
    or by an integration on their behalf."""

    channel = Text(load_default="counter", validate=validate.OneOf(("counter", "phone")))
    description = Text(required=True, validate=validate.Length(min=1, max=10_000))
    subject = Text(load_default="", validate=validate.Length(max=300))
    name = Text(load_default="", validate=validate.Length(max=200))
    phone = Text(load_default="", validate=validate.Length(max=30))
    email = Text(load_default="", validate=validate.Length(max=254))
    language = Text(load_default="ms", validate=validate.OneOf(CITIZEN_LANGUAGES))


class ReplySchema(Strict):
    body = Text(required=True, validate=validate.Length(min=1, max=10_000))
    channel = Text(load_default=None, allow_none=True, validate=validate.Length(max=20))


class NoteSchema(Strict):
    body = Text(required=True, validate=validate.Length(min=1, max=10_000))


class _Versioned(Strict):
    version = fields.Integer(
        required=True, validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The version of the ticket you read (a stale one is 409)."},
    )  # fmt: skip


class StatusChangeSchema(_Versioned):
    status = Text(required=True, validate=validate.OneOf(TicketStatus.values()))
    reason = Text(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class AssignSchema(_Versioned):
    officer_id = fields.Integer(
        required=True, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "An active officer of the ticket's unit; null unassigns."},
    )  # fmt: skip


class TransferSchema(_Versioned):
    unit_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    note = Text(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class MergeSchema(_Versioned):
    duplicate = Text(
        required=True, validate=validate.Length(min=1, max=40),
        metadata={"description": "Reference of the duplicate, merged into this ticket."},
    )  # fmt: skip


QUEUES = ("mine", "unit", "unassigned", "due_today", "overdue", "waiting", "recently_closed")


class TicketListQuerySchema(Strict):
    """The inbox's queue and filters (``inbox.queries``) and its keyset cursor."""

    queue = Text(load_default="unit", validate=validate.OneOf(QUEUES))
    status = Text(validate=validate.OneOf(TicketStatus.values()))
    type = Text(validate=validate.OneOf(TicketType.values()))
    category_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    channel = Text(validate=validate.Length(max=20))
    state = Text(validate=validate.Length(equal=2))
    received_from = fields.Date()
    received_to = fields.Date()
    priority = fields.Boolean(load_default=False)
    q = Text(validate=validate.Length(max=200))
    cursor = Text(validate=validate.Length(max=200))
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class ClassifySchema(_Versioned):
    """The ticket page's classification: absent fields keep their value; ``category_id``
    null leaves the ticket uncategorised. A new complexity recomputes the deadlines."""

    type = Text(validate=validate.OneOf(TicketType.values()))
    category_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    complexity = Text(validate=validate.OneOf(Complexity.values()))


class ExtendSchema(_Versioned):
    """An extension of the resolution deadline: the complainant gets the reason and the new
    date (an interim reply); the date must be later than the current deadline."""

    reason = Text(required=True, validate=validate.Length(min=1, max=2000))
    new_date = fields.Date(required=True)


class UnmergeSchema(_Versioned):
    pass


class AttachmentSchema(ViewSchema):
    """A file on a ticket (its bytes at ``…/attachments/{attachment_id}``)."""

    _ALL = ("id", "message_id", "filename", "content_type", "size", "created_at")
    views = {"integration": _ALL, "officer": _ALL, "admin": _ALL}

    id = fields.Integer()
    message_id = fields.Integer(allow_none=True)
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    created_at = fields.AwareDateTime()
