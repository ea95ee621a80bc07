"""The tenant boundary, as one rule: which agency a row belongs to, and the query condition
that keeps an agency to its own rows.

Every model declares where it stands in ``__tenant__`` (``tests/test_tenancy.py`` walks them
all and fails on a model without a declaration):

- ``"agency"``: the row's ``agency_id`` names its agency (officers, complainants, settings…);
- ``"self"``: the agency row itself;
- ``"via:<column>"``: the row belongs to the agency of the row its foreign key ``<column>``
  points at (a message → its ticket, a roster line → its unit);
- ``"account"``: the row names a channel account by ``channel`` and ``account_key``; it
  belongs to the agency owning that account (``default``: the default agency, as
  ``channel_config.accounts.serving_account`` decides);
- ``"national"``: shared by every agency and edited only by the platform's administrators
  (the national holiday calendar);
- ``"system"``: the deployment's own bookkeeping, holding no personal data and no setting an
  agency edits, never read on an agency's behalf (the periodic schedule's marks; attachment
  bytes, content-addressed, reached only through an agency's ``Attachment`` row). Scoping one
  is an error.

``scoped(query, Model, agency_id)`` applies the rule; ``condition`` gives the bare SQL
condition for joins and subqueries. Tickets seen by officers are narrowed further by
``tickets.access`` (units, roles); this module is the agency wall beneath it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, exists, select, true

from aduan.extensions import db
from aduan.models import ChannelAccount
from aduan.services.channel_config.accounts import DEFAULT_KEY, default_agency_id

AGENCY = "agency"
SELF = "self"
NATIONAL = "national"
ACCOUNT = "account"
SYSTEM = "system"
VIA = "via:"


class UndeclaredTenant(TypeError):
    """A model without a ``__tenant__`` declaration (or with one this module does not know)."""


def declaration(model: type) -> str:
    """The model's own ``__tenant__`` (not inherited: each model declares where it stands)."""
    kind = model.__dict__.get("__tenant__")
    known = (AGENCY, SELF, NATIONAL, ACCOUNT, SYSTEM)
    if not isinstance(kind, str) or not (kind in known or kind.startswith(VIA)):
        raise UndeclaredTenant(f"{model.__name__} declares no valid __tenant__")
    return kind


def parent_model(model: type, column: str) -> type:
    """The model that ``model.<column>`` (a foreign key) points at."""
    [foreign_key] = model.__table__.c[column].foreign_keys
    table = foreign_key.column.table
    for mapper in db.Model.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    raise UndeclaredTenant(f"{model.__name__}.{column} points at an unmapped table")


def condition(model: type, agency_id: int) -> ColumnElement[bool]:
    """A SQL condition on ``model`` true exactly for the rows of agency ``agency_id``."""
    kind = declaration(model)
    if kind == AGENCY:
        return model.agency_id == agency_id
    if kind == SELF:
        return model.id == agency_id
    if kind == NATIONAL:
        return true()
    if kind == ACCOUNT:
        return _account_condition(model, agency_id)
    if kind == SYSTEM:
        raise UndeclaredTenant(f"{model.__name__} is the system's: never read for an agency")
    column = kind[len(VIA) :]
    parent = parent_model(model, column)
    return getattr(model, column).in_(select(parent.id).where(condition(parent, agency_id)))


def _account_condition(model: type, agency_id: int) -> ColumnElement[bool]:
    owned = exists().where(
        ChannelAccount.channel == model.channel,
        ChannelAccount.account_key == model.account_key,
        ChannelAccount.agency_id == agency_id,
    )
    if agency_id == default_agency_id():  # the environment's accounts are the default agency's
        return owned | (model.account_key == DEFAULT_KEY)
    return owned & (model.account_key != DEFAULT_KEY)


def scoped(query: Select, model: type, agency_id: int) -> Select:
    """``query`` limited to ``model``'s rows of agency ``agency_id``."""
    return query.where(condition(model, agency_id))


def get_scoped(model: type, row_id: Any, agency_id: int):
    """The row of ``model`` with that primary key if it is agency ``agency_id``'s, else None."""
    try:
        key = int(row_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(scoped(select(model).where(model.id == key), model, agency_id))


def is_national(model: type) -> bool:
    return declaration(model) == NATIONAL
