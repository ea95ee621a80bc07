"""Routing rules as the admin API reads and writes them."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from aduan import areas
from aduan.models.org import STATE_CODES
from aduan.vocabulary import Complexity, PriorityGroup, TicketType, channel_values


def _list_of(field: fields.Field) -> fields.List:
    return fields.List(field, load_default=list, validate=validate.Length(max=200))


def _known_channel(value: str) -> None:
    """The registered channels, read when a rule is loaded (adapters may register later)."""
    choices = channel_values()
    if value not in choices:
        raise ValidationError(f"Must be one of: {', '.join(choices)}.")


class Area(fields.Field):
    """Where the ticket's point lies (``aduan.areas``): a GeoJSON Polygon or MultiPolygon, or
    a box ``[minLon, minLat, maxLon, maxLat]``, as JSON or as text; kept normalised."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return areas.load(value)
        except areas.AreaError as exc:
            raise ValidationError(exc.message) from None


class ConditionsSchema(Schema):
    """Every list given must hold (any one value in it); an empty list is no condition."""

    class Meta:
        unknown = RAISE

    categories = _list_of(fields.String(validate=validate.Length(min=1, max=30)))
    types = _list_of(fields.String(validate=validate.OneOf(TicketType.values())))
    channels = _list_of(fields.String(validate=_known_channel))
    states = _list_of(fields.String(validate=validate.OneOf(STATE_CODES)))
    keywords = _list_of(fields.String(validate=validate.Length(min=1, max=100)))
    area = Area(allow_none=True)  # absent or null: anywhere; a ticket without a point is in no area


class ActionsSchema(Schema):
    class Meta:
        unknown = RAISE

    unit_id = fields.Integer(allow_none=True)
    category_id = fields.Integer(allow_none=True)
    type = fields.String(allow_none=True, validate=validate.OneOf(TicketType.values()))
    priority_group = fields.String(allow_none=True, validate=validate.OneOf(PriorityGroup.values()))
    complexity = fields.String(allow_none=True, validate=validate.OneOf(Complexity.values()))


class RoutingRuleSchema(Schema):
    """The admin view of a rule (the only audience for rules)."""

    class Meta:
        unknown = RAISE

    id = fields.Integer(dump_only=True)
    agency_id = fields.Integer(dump_only=True)
    position = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    active = fields.Boolean(load_default=True)
    conditions = fields.Nested(ConditionsSchema, load_default=dict)
    actions = fields.Nested(ActionsSchema, load_default=dict)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
