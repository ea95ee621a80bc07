"""Which agency an account key belongs to, and which keys an agency may take.

Webhook URLs name an account by its key alone (``/webhooks/<provider>/<key>``), so a key
names one agency on every channel: an agency may add a key only when no other agency uses it
on any channel. ``default`` (the deployment's own accounts, configured by environment
variables) belongs to the default agency alone, and ``agency-<id>`` keys are the secret-free
accounts the system makes for an agency (``own_account``): counter and phone entry, the web
form of the agency's public pages, and its Open311 filings. The database keeps (channel, key)
unique; this module keeps a key to one agency.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from aduan.extensions import db
from aduan.models import ChannelAccount
from aduan.services.channel_config.accounts import DEFAULT_KEY, default_agency_id

STAFF_ENTRY_PREFIX = "agency-"
DEFAULT_IS_RESERVED = _l(
    "The key “default” is the deployment's own account (set up by the system administrator) "
    "and belongs to another agency. Choose another key."
)
STAFF_KEY_RESERVED = _l("Keys starting with “agency-” are reserved for counter and phone entry.")
KEY_OF_ANOTHER_AGENCY = _l("Another agency uses this key. Choose another key.")
KEY_IN_USE = _l("Your agency already has an account with this key on this channel.")


def owner_of_key(key: str) -> int | None:
    """The agency whose accounts use ``key`` (``default``: the default agency), else None."""
    if key == DEFAULT_KEY:
        return default_agency_id()
    return db.session.scalar(
        db.select(ChannelAccount.agency_id).where(ChannelAccount.account_key == key).limit(1)
    )


def key_refusal(agency_id: int, channel: str, key: str):
    """Why ``agency_id`` may not add an account ``channel``/``key`` (a translatable message),
    or None when it may."""
    if key.startswith(STAFF_ENTRY_PREFIX):
        return STAFF_KEY_RESERVED
    owner = owner_of_key(key)
    if owner is not None and owner != agency_id:
        return DEFAULT_IS_RESERVED if key == DEFAULT_KEY else KEY_OF_ANOTHER_AGENCY
    taken = db.select(ChannelAccount.id).where(
        ChannelAccount.channel == channel, ChannelAccount.account_key == key
    )
    return KEY_IN_USE if db.session.scalar(taken) is not None else None


def own_account(agency_id: int, channel: str) -> str:
    """The agency's secret-free account on ``channel`` (staff entry, its public web form, Open311),
    made when first needed; its key, ``agency-<id>``. It cannot be switched off: deactivating
    it would hand the agency's filings to no one."""
    key = f"{STAFF_ENTRY_PREFIX}{agency_id}"
    row = db.session.scalar(
        db.select(ChannelAccount).where(
            ChannelAccount.channel == channel, ChannelAccount.account_key == key
        )
    )
    if row is None:
        db.session.add(
            ChannelAccount(channel=channel, account_key=key, agency_id=agency_id, settings={},
                           poll_state={}, active=True)
        )  # fmt: skip
        db.session.flush()
    elif not row.active:
        row.active = True
    return key
