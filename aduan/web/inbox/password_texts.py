"""What the password pages say when a password is refused (shared with the admin's rule)."""

from __future__ import annotations

from flask_babel import gettext as _

from aduan.services.admin.officers import SHORT_PASSWORD, WEAK_PASSWORD


def refusal(code: str) -> str:
    """The message for a ``PasswordRefused.code``."""
    messages = {
        "current": _("Your current password is not right."),
        "mismatch": _("The two new passwords are not the same."),
        "short": str(SHORT_PASSWORD),
        "weak": str(WEAK_PASSWORD),
        "link": _("This link has expired or was used already. Ask for a new one."),
    }
    return messages.get(code, messages["weak"])
