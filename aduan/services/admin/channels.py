"""Channel accounts of an agency: one write path (``write``) for the admin page (through
``save``, its form adapter) and the JSON API; secrets masked, health shown, blank keeps a secret.

A secret is never sent back to the browser: the form shows ``••••last4`` next to an empty
password field, and an empty field on save keeps the stored value unchanged. Which channels
have accounts here, their fields and which are secret come from the adapters' manifests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from aduan.extensions import db
from aduan.models import ChannelAccount, Officer
from aduan.services.admin import common as f
from aduan.services.channel_config.accounts import (
    clear_account_cache,
    decrypt_settings,
    default_agency_id,
    describe,
    encrypt_settings,
    masked,
    serving_account,
)
from aduan.services.channel_config.ownership import key_refusal
from aduan.services.intake import mail_polling as mail_intake
from aduan.services.tenancy import scoped
from channels.base import Setting
from channels.registry import channels_where, manifest, secret_keys

BAD_KEY = _l("Use lower-case letters, digits and dashes.")
BAD_SETTINGS = _l("Send the settings as names with text values.")
UNREADABLE = _l("Stored secrets cannot be read with the current key; enter them again.")
_ACCOUNT_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def channels() -> list[str]:
    """The channel types an admin keeps accounts for (manifest ``configurable``), by name."""
    return sorted(channels_where(configurable=True))


def list_for(agency_id: int) -> list[dict[str, Any]]:
    """Every provider account of the agency as ``describe`` shows it (masked settings, health).

    The secret-free accounts that counter/phone entry makes for itself are not listed."""
    query = scoped(db.select(ChannelAccount), ChannelAccount, agency_id).where(
        ChannelAccount.channel.in_(channels())
    )
    rows = db.session.scalars(query.order_by(ChannelAccount.channel, ChannelAccount.account_key))
    return [describe(row) for row in rows]


def environment_mailbox(agency_id: int) -> dict[str, Any] | None:
    """The mailbox configured by ``ADUAN_IMAP_URL`` (no account row), with its health, for the
    agency that receives its mail; None when there is none or it belongs to another agency."""
    if not current_app.config.get("IMAP_URL") or serving_account("email") is not None:
        return None
    if default_agency_id() != agency_id:
        return None
    return {"channel": "email", "account_key": "default", **mail_intake.environment_status()}


def declared_settings(channel: str) -> dict[str, Setting]:
    """Key → declaration of the channel's credentials, then its optional settings."""
    try:
        return {s.key: s for s in manifest(channel).all_settings()}
    except LookupError:  # its adapter is disabled: only what is stored
        return {}


def setting_keys(channel: str, row: ChannelAccount | None = None) -> list[str]:
    """The provider's credentials, the adapter's optional settings, then any others stored."""
    keys = list(declared_settings(channel))
    stored = _plain(row) if row is not None else {}
    return keys + sorted(k for k in stored if k not in keys)


def is_secret(key: str) -> bool:
    """True for a key some channel declares secret: never shown, blank keeps it."""
    return key in secret_keys()


def values(row: ChannelAccount | None) -> dict[str, Any]:
    """Form values: plain settings, but never a secret (its field starts empty)."""
    if row is None:
        return {"active": True, "account_key": ""}  # "default" is the default agency's alone
    plain = _plain(row)
    out: dict[str, Any] = {"account_key": row.account_key, "active": row.active}
    out.update({f"s_{k}": v for k, v in plain.items() if not is_secret(k)})
    return out


def masked_secrets(row: ChannelAccount | None) -> dict[str, str]:
    """``{key: "••••last4"}`` for the secrets stored on ``row``."""
    if row is None:
        return {}
    return {k: v for k, v in masked(_plain(row)).items() if is_secret(k) and v}


def save(actor: Officer, form, channel: str, row: ChannelAccount | None = None) -> ChannelAccount:
    """The admin form's door to ``write``: every setting field posted (``s_<key>``), a box for
    ``active``; the errors' keys are the form's fields already."""
    settings = {k: str(form.get(f"s_{k}") or "") for k in setting_keys(channel, row)}
    data = {"account_key": form.get("account_key"), "active": f.checkbox(form, "active")}
    return write(actor, channel, {**data, "settings": settings}, row)


def write(
    actor: Officer, channel: str, data: Mapping[str, Any], row: ChannelAccount | None = None
) -> ChannelAccount:
    """Create (``row`` None) or update one account of the actor's agency; audited; the caller
    commits. ``data``: ``account_key`` (new accounts only), ``active`` (bool) and ``settings``
    (name → text; a blank secret keeps the stored one, a blank setting removes it, a name not
    given is left as it is)."""
    errors: f.Errors = {}
    key = row.account_key if row is not None else _new_key(actor, channel, data, errors)
    settings_in = _settings_in(channel, row, data.get("settings"), errors)
    if not isinstance(data.get("active", True), bool):
        f.add(errors, "active", f.BAD_CHOICE)
    try:
        stored = _plain(row) if row is not None else {}
    except ValueError:
        stored = {}
        f.add(errors, "_form", UNREADABLE)
    f.fail_if(errors)
    settings, changed_keys = _merge(stored, settings_in)
    before = _audit_view(row) if row is not None else None
    if row is None:
        row = ChannelAccount(
            channel=channel, account_key=key, agency_id=actor.agency_id, poll_state={}
        )
        db.session.add(row)
    row.settings = encrypt_settings(settings)
    row.active = data.get("active", True if before is None else row.active)
    db.session.flush()
    clear_account_cache()  # this process at once; others within ACCOUNT_CACHE_SECONDS
    after = {**_audit_view(row), "changed_settings": sorted(changed_keys)}
    f.audit(actor, "channel_account", row.id, "update" if before else "create", before, after)
    return row


def _new_key(actor: Officer, channel: str, data: Mapping[str, Any], errors: f.Errors) -> str:
    if channel not in channels():
        f.add(errors, "channel", f.BAD_CHOICE)
    key = f.text(data, "account_key", errors, max_len=40)
    if key and not _ACCOUNT_KEY.match(key):
        f.add(errors, "account_key", BAD_KEY)
    elif key and (refusal := key_refusal(actor.agency_id, channel, key)):
        f.add(errors, "account_key", refusal)
    return key


def _settings_in(channel: str, row, given, errors: f.Errors) -> dict[str, str]:
    """The posted settings, each a text and one the channel knows, else an error."""
    if given is None or channel not in channels():
        return {}
    known = set(setting_keys(channel, row))
    if not isinstance(given, Mapping) or any(not isinstance(v, str) for v in given.values()):
        f.add(errors, "settings", BAD_SETTINGS)
        return {}
    for name in sorted(set(given) - known):
        f.add(errors, "settings", _("Unknown setting: %(name)s.", name=name))
    return {k: v.strip() for k, v in given.items()}


def _merge(stored: dict[str, Any], given: dict[str, str]) -> tuple[dict[str, Any], set[str]]:
    settings, changed = dict(stored), set()
    for key, value in given.items():
        if is_secret(key) and not value:
            continue  # blank keeps the stored secret
        if value != (stored.get(key) or ""):
            changed.add(key)
        if value:
            settings[key] = value
        else:
            settings.pop(key, None)
    return settings, changed


def _plain(row: ChannelAccount) -> dict[str, Any]:
    return decrypt_settings(row.settings or {})


def _audit_view(row: ChannelAccount) -> dict[str, Any]:
    """What the audit keeps: never a secret, only which setting names are set."""
    return {
        "channel": row.channel,
        "account_key": row.account_key,
        "active": row.active,
        "settings_set": sorted(k for k, v in (row.settings or {}).items() if v),
    }
