"""Secrets at rest: one Fernet key per purpose, from ``ENCRYPTION_KEY`` (a Fernet key is used
as it is; any other text is stretched with HKDF) or, in development, the secret key. Each
purpose (channel-account secrets, webhook subscription secrets) derives its own key."""

from __future__ import annotations

import base64
import os

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def fernet(purpose: bytes) -> Fernet:
    """The Fernet for ``purpose`` (e.g. ``b"aduan-channel-accounts"``)."""
    configured = current_app.config.get("ENCRYPTION_KEY") or os.environ.get("ADUAN_ENCRYPTION_KEY")
    if configured:
        try:
            return Fernet(configured)
        except ValueError:
            pass  # not a Fernet key: stretch it below
    material = str(configured or current_app.config["SECRET_KEY"]).encode()
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose)
    return Fernet(base64.urlsafe_b64encode(hkdf.derive(material)))
