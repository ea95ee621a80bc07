"""Officers' account jobs: the password-reset mail. Each calls a service and is safe to run
twice (a second run makes a second link, within the hourly limit)."""

from __future__ import annotations

from aduan.services.auth import own_password


def send_password_reset(identifier: str) -> int:
    """Send a reset link to the officer with that username or e-mail, if there is one."""
    return own_password.send_reset(identifier)
