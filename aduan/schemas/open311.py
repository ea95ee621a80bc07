"""What Open311 GeoReport v2's ``POST requests`` sends (form-encoded). Unknown keys are
dropped rather than refused: GeoReport clients send fields this server does not use
(``device_id``, ``account_id``, ``address_id``, ``jurisdiction_id``, ``api_key``)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from aduan.schemas.views import Text


class GeoReportRequestSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    service_code = Text(required=True, validate=validate.Length(min=1, max=30))
    lat = fields.Float(load_default=None, validate=validate.Range(-90, 90))
    long = fields.Float(load_default=None, validate=validate.Range(-180, 180))
    address_string = Text(load_default="", validate=validate.Length(max=500))
    description = Text(load_default="", validate=validate.Length(max=4000))
    email = fields.Email(load_default=None, validate=validate.Length(max=254))
    phone = Text(load_default="", validate=validate.Length(max=30))
    first_name = Text(load_default="", validate=validate.Length(max=100))
    last_name = Text(load_default="", validate=validate.Length(max=100))
    media_url = fields.Url(load_default=None, schemes={"http", "https"},
                           validate=validate.Length(max=1000))  # fmt: skip
