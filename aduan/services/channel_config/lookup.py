"""Which adapter and which agency serve a channel account.

Delegates to ``aduan.services.channel_config.accounts`` (stored, encrypted accounts) when it is
installed; until then adapters are built from the environment settings of the default account.
"""

from __future__ import annotations

from flask import current_app

from aduan.extensions import db
from aduan.models import Agency
from aduan.services.channel_config.accounts import get_adapter, serving_account
from aduan.services.intake import reference_cache
from channels.base import ChannelAdapter

DEFAULT_KEY = "default"


def adapter_for(channel: str, account_key: str = DEFAULT_KEY) -> ChannelAdapter:
    """An adapter configured for ``channel``/``account_key``."""
    return get_adapter(channel, account_key)


def agency_for(channel: str, account_key: str = DEFAULT_KEY) -> Agency:
    """The agency owning the account the event came in on, else ``default_agency()``.

    The id is cached per process (``reference_cache``: an account's or agency's edit clears
    it); a drain keeps the Agency itself across its events."""
    agency_id = reference_cache.cached(
        ("agency-for", channel, account_key), lambda: _agency_id(channel, account_key)
    )
    agency = db.session.get(Agency, agency_id)
    if agency is None:  # removed since: look again
        reference_cache.clear()
        agency = db.session.get(Agency, _agency_id(channel, account_key))
    return agency


def _agency_id(channel: str, account_key: str) -> int:
    row = serving_account(channel, account_key)  # "default" is the default agency's alone
    if row is not None and row.agency_id:
        return row.agency_id
    return default_agency().id


def default_agency() -> Agency:
    """The agency with code ``DEFAULT_AGENCY_CODE``, else the first agency created."""
    code = current_app.config.get("DEFAULT_AGENCY_CODE")
    query = db.select(Agency)
    query = query.where(Agency.code == code) if code else query.order_by(Agency.id).limit(1)
    agency = db.session.scalar(query)
    if agency is None:
        raise LookupError("no agency to own incoming complaints (set DEFAULT_AGENCY_CODE)")
    return agency
