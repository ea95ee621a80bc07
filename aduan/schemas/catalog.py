"""Categories, units and officers as the API reads them, with each audience's view."""

from __future__ import annotations

from marshmallow import fields

from aduan.schemas.views import ViewSchema


class CategorySchema(ViewSchema):
    _ALL = ("id", "code", "name_ms", "name_en", "default_unit_id", "active")
    views = {
        "citizen": ("id", "code", "name_ms", "name_en"),
        "integration": _ALL,
        "officer": _ALL,
        "admin": _ALL,
    }

    id = fields.Integer()
    code = fields.String()
    name_ms = fields.String()
    name_en = fields.String()
    default_unit_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class UnitSchema(ViewSchema):
    _ALL = ("id", "code", "name", "state_code", "parent_id", "active")
    views = {"integration": _ALL, "officer": _ALL, "admin": _ALL}

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    state_code = fields.String()
    parent_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class OfficerSchema(ViewSchema):
    """An integration sees who can be assigned, not how to reach them or sign in as them."""

    _WORK = ("id", "name", "unit_ids", "active")
    views = {
        "integration": _WORK,
        "officer": (*_WORK, "email"),
        "admin": (*_WORK, "email", "username", "roles"),
    }

    id = fields.Integer()
    name = fields.String()
    username = fields.String()
    email = fields.String()
    roles = fields.List(fields.String())
    unit_ids = fields.Function(lambda officer: sorted(u.id for u in officer.units))
    active = fields.Boolean()
