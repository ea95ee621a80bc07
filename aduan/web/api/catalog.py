"""``/api/v1/categories``, ``/units``, ``/officers``: the caller's agency's reference data
(read only; admins change it on the admin pages). Scoped by ``tenancy``."""

from __future__ import annotations

from sqlalchemy import select

from aduan.extensions import db
from aduan.models import Category, Officer, Unit
from aduan.schemas.catalog import CategorySchema, OfficerSchema, UnitSchema
from aduan.services import tenancy
from aduan.web.api.blueprint import audience, bp, principal, requires


def _rows(model, order):
    query = tenancy.scoped(select(model), model, principal().agency_id).order_by(order)
    return list(db.session.scalars(query))


@bp.get("/categories")
@requires("read")
def categories():
    rows = _rows(Category, Category.code)
    return {"items": CategorySchema(view=audience()).dump(rows, many=True)}


@bp.get("/units")
@requires("read")
def units():
    rows = _rows(Unit, Unit.code)
    return {"items": UnitSchema(view=audience()).dump(rows, many=True)}


@bp.get("/officers")
@requires("read")
def officers():
    rows = _rows(Officer, Officer.name)
    return {"items": OfficerSchema(view=audience()).dump(rows, many=True)}
