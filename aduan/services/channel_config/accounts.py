"""Channel accounts: settings for each adapter, secrets encrypted at rest, health recorded.

Secret values are stored as ``fernet:<token>`` strings. The key is ``ADUAN_ENCRYPTION_KEY``
when set (a Fernet key, or any string that is stretched with HKDF), else derived from
``SECRET_KEY`` with HKDF — so rotating SECRET_KEY without setting ENCRYPTION_KEY makes the
stored secrets unreadable (re-enter them). Which settings are secret, and which environment
variables fill the default account, each adapter declares in its manifest.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from aduan.extensions import db
from aduan.models import Agency, ChannelAccount
from aduan.models.base import utcnow
from aduan.services import sealing
from aduan.services.intake import reference_cache
from channels.base import ChannelAdapter
from channels.registry import get_adapter_class, load_adapters, manifest, secret_keys

log = logging.getLogger(__name__)

DEFAULT_KEY = "default"
ENCRYPTED_PREFIX = "fernet:"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s-]{6,}\d")
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


class UnknownAccount(LookupError):
    """No active account with that channel and key (and no environment default)."""


class AccountTaken(ValueError):
    """The account key belongs to another agency: a row is never moved between agencies."""


def _fernet() -> Fernet:
    return sealing.fernet(b"aduan-channel-accounts")


def encrypt_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Encrypt the secret values of ``settings`` for storage."""
    fernet, secret = _fernet(), secret_keys()
    stored = {}
    for key, value in settings.items():
        if key in secret and isinstance(value, str) and value:
            value = ENCRYPTED_PREFIX + fernet.encrypt(value.encode()).decode()
        stored[key] = value
    return stored


def decrypt_settings(stored: dict[str, Any]) -> dict[str, Any]:
    """The plain settings of a stored account (raises ValueError on a wrong key)."""
    fernet = _fernet()
    plain = {}
    for key, value in (stored or {}).items():
        if isinstance(value, str) and value.startswith(ENCRYPTED_PREFIX):
            try:
                value = fernet.decrypt(value[len(ENCRYPTED_PREFIX) :].encode()).decode()
            except InvalidToken:
                raise ValueError(f"cannot decrypt setting {key!r}: encryption key changed?")
        plain[key] = value
    return plain


def environment_mapping(channel: str) -> dict[str, str]:
    """Account key → config name (the ``ADUAN_`` variable without its prefix) of the default
    account, from the channel's manifest; empty for a channel with no adapter."""
    try:
        return manifest(channel).environment()
    except LookupError:
        return {}


def env_settings(channel: str) -> dict[str, Any]:
    """The default account's settings from the environment (empty values left out)."""
    mapping = environment_mapping(channel)
    config = current_app.config
    return {key: config[name] for key, name in mapping.items() if config.get(name)}


def find_account(channel: str, key: str = DEFAULT_KEY) -> ChannelAccount | None:
    """The stored account row for ``channel``/``key``, active or not."""
    return db.session.scalar(
        db.select(ChannelAccount).where(
            ChannelAccount.channel == channel, ChannelAccount.account_key == key
        )
    )


def serving_account(channel: str, key: str = DEFAULT_KEY) -> ChannelAccount | None:
    """The row that serves ``channel``/``key``. The environment's accounts (key ``default``)
    belong to the default agency alone: a ``default`` row of any other agency is ignored, so
    it can neither capture the intake, nor switch it off, nor borrow the environment's
    secrets (rows made before that rule; the admin form refuses new ones)."""
    row = find_account(channel, key)
    if row is not None and key == DEFAULT_KEY and row.agency_id != default_agency_id():
        log.warning("ignored default account of another agency channel=%s row_id=%s", channel,
                    row.id)  # fmt: skip
        return None
    return row


# Resolved settings per process for a few seconds: every webhook and every ingest job needs
# them, and a database round trip plus decryption per message is most of a webhook's cost.
# An admin's edit reaches this process at once and other processes within ACCOUNT_CACHE_SECONDS.
ACCOUNT_CACHE_SECONDS = 30.0
_cache: dict[tuple, tuple[float, dict[str, Any] | UnknownAccount]] = {}
_cache_lock = threading.Lock()


def clear_account_cache() -> None:
    with _cache_lock:
        _cache.clear()


def account_settings(channel: str, key: str = DEFAULT_KEY) -> dict[str, Any]:
    """Settings for the adapter (cached briefly, see ACCOUNT_CACHE_SECONDS)."""
    cache_key = (id(current_app._get_current_object()), channel, key)
    now = time.monotonic()
    hit = _cache.get(cache_key)
    if hit is None or hit[0] < now:
        try:
            value: dict[str, Any] | UnknownAccount = _load_settings(channel, key)
        except UnknownAccount as exc:
            value = exc
        hit = (now + ACCOUNT_CACHE_SECONDS, value)
        with _cache_lock:
            _cache[cache_key] = hit
    if isinstance(hit[1], UnknownAccount):
        raise hit[1]
    return dict(hit[1])


def _load_settings(channel: str, key: str) -> dict[str, Any]:
    """The stored row's settings (the environment fills gaps of "default", whose row only the
    default agency may own: ``serving_account``)."""
    row = serving_account(channel, key)
    if row is not None and not row.active:
        raise UnknownAccount(f"{channel}/{key} is inactive")
    base = env_settings(channel) if key == DEFAULT_KEY else {}
    if row is None and not base:
        raise UnknownAccount(f"no account {channel}/{key}")
    return {**base, **(decrypt_settings(row.settings) if row else {})}


def get_adapter(channel: str, key: str = DEFAULT_KEY) -> ChannelAdapter:
    """An adapter instance configured for one account."""
    settings = account_settings(channel, key)
    _load_all_adapters()
    return get_adapter_class(channel)(settings)


def _load_all_adapters() -> None:
    # The registry loads its modules only while it is empty: one adapter module imported
    # directly (e.g. channels.email) would otherwise hide every other adapter.
    if not _ADAPTERS_LOADED:
        load_adapters()
        _ADAPTERS_LOADED.append(True)


_ADAPTERS_LOADED: list[bool] = []


def save_account(
    agency: Agency, channel: str, settings: dict[str, Any], key: str = DEFAULT_KEY, **fields
) -> ChannelAccount:
    """Create or replace an account's settings (secrets encrypted); the caller commits.

    ``AccountTaken`` when another agency's row has this channel and key: it is not moved."""
    agency_id = agency.id  # read before the add: an expired agency must not autoflush a bare row
    row = find_account(channel, key)
    if row is not None and row.agency_id != agency_id:
        raise AccountTaken(f"{channel}/{key} belongs to another agency")
    if row is None:
        row = ChannelAccount(channel=channel, account_key=key, poll_state={}, active=True)
        db.session.add(row)
    row.agency_id = agency_id
    row.settings = encrypt_settings(settings)
    for name, value in fields.items():
        setattr(row, name, value)
    db.session.flush()
    clear_account_cache()
    return row


def mask(value: Any) -> str:
    """``••••last4`` (nothing of short secrets)."""
    text = str(value)
    return "••••" + (text[-4:] if len(text) >= 12 else "")


def masked(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings safe to show to an admin: secrets as ``••••last4``."""
    secret = secret_keys()
    return {
        key: mask(value) if key in secret and value else value for key, value in settings.items()
    }


def describe(row: ChannelAccount) -> dict[str, Any]:
    """An admin's view of one account: masked settings, health, never a secret."""
    try:
        settings = masked(decrypt_settings(row.settings))
    except ValueError:
        settings = {"error": "cannot decrypt"}
    return {
        "id": row.id,
        "agency_id": row.agency_id,
        "channel": row.channel,
        "account_key": row.account_key,
        "active": row.active,
        "settings": settings,
        "last_error": row.last_error,
        "last_error_at": _iso(row.last_error_at),
        "last_success_at": _iso(row.last_success_at),
    }


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def scrub(text: str, settings: dict[str, Any] | None = None) -> str:
    """Error text without the account's secrets, URL passwords, e-mail addresses or phones."""
    secret = secret_keys()
    for key, value in (settings or {}).items():
        if key in secret and isinstance(value, str) and len(value) >= 4:
            text = text.replace(value, "***")
    text = _URL_PASSWORD.sub(r"\1***@", text)
    text = _EMAIL.sub("<email>", text)
    return _PHONE.sub("<number>", text)[:500]


def record_success(row: ChannelAccount | None) -> None:
    """Mark a successful fetch or delivery; the caller commits."""
    if row is not None:
        row.last_success_at = utcnow()


def record_error(row: ChannelAccount | None, error: BaseException | str) -> None:
    """Keep the last error for admins, scrubbed of secrets and personal data; caller commits."""
    if row is None:
        return
    try:
        settings = decrypt_settings(row.settings)
    except ValueError:
        settings = {}
    row.last_error = scrub(str(error), {**env_settings(row.channel), **settings})
    row.last_error_at = utcnow()


def default_agency_id() -> int | None:
    """The agency that owns events with no channel account: ``DEFAULT_AGENCY_CODE`` or the first.
    Cached per process (``reference_cache``: an agency's edit clears it); every new ticket's
    acknowledgement asks."""
    code = current_app.config.get("DEFAULT_AGENCY_CODE")
    query = db.select(Agency.id)
    query = query.where(Agency.code == code) if code else query.order_by(Agency.id).limit(1)
    found = reference_cache.cached(("default-agency", code), lambda: db.session.scalar(query))
    return found if found is not None else db.session.scalar(query)
