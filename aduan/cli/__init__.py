"""Admin commands under ``flask --app wsgi`` (the worker and scheduler commands are
``workers.cli``'s, registered by ``wsgi.py``)."""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)

# (module, attribute) of each command or group.
COMMANDS = (
    ("aduan.cli.attachments", "attachments_cli"),
    ("aduan.cli.calendar", "calendar_cli"),
    ("aduan.cli.demo", "demo_cli"),
    ("aduan.cli.intake", "intake_cli"),
    ("aduan.cli.platform_admins", "platform_admin_cli"),
    ("aduan.cli.reports", "reports_cli"),
)


def register(app) -> None:
    for module_name, attribute in COMMANDS:
        module = importlib.import_module(module_name)
        app.cli.add_command(getattr(module, attribute))
