""" "Test connection" for a channel account: the adapter's cheapest authenticated read with the
stored credentials (Twilio: the account resource; Telegram: getMe), through the real client
libraries. The result is recorded on the account as its last success or last error, which the
admin's channel list already shows."""

from __future__ import annotations

import logging
from typing import NamedTuple

from aduan.extensions import db
from aduan.models import ChannelAccount
from aduan.models.base import utcnow
from aduan.services.channel_config.accounts import DEFAULT_KEY, decrypt_settings, env_settings
from channels.base import ChannelError
from channels.registry import get_adapter_class

log = logging.getLogger(__name__)


class ConnectionResult(NamedTuple):
    ok: bool | None  # None: this channel has no test
    detail: str


def test_connection(row: ChannelAccount) -> ConnectionResult:
    """Try ``row``'s credentials against its provider now (not the 30-second cache), record
    the outcome on the row and commit; what answered, or why it failed."""
    base = env_settings(row.channel) if row.account_key == DEFAULT_KEY else {}
    adapter = get_adapter_class(row.channel)({**base, **decrypt_settings(row.settings)})
    try:
        detail = adapter.check_connection()
    except NotImplementedError:
        return ConnectionResult(None, "")
    except (ChannelError, KeyError) as exc:
        reason = str(exc) if isinstance(exc, ChannelError) else f"missing setting {exc}"
        row.last_error, row.last_error_at = f"connection test: {reason}"[:2000], utcnow()
        db.session.commit()
        log.info("channel_test=failed channel=%s account_id=%s", row.channel, row.id)
        return ConnectionResult(False, reason)
    row.last_success_at = utcnow()
    db.session.commit()
    log.info("channel_test=ok channel=%s account_id=%s", row.channel, row.id)
    return ConnectionResult(True, detail)
