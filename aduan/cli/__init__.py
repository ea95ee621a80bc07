"""Admin commands under ``flask --app wsgi``."""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)

# (module, attribute) of each command or group.
COMMANDS = (
    ("aduan.cli.calendar", "calendar_cli"),
    ("aduan.cli.demo", "demo_cli"),
    ("aduan.cli.worker", "worker_command"),
    ("aduan.cli.scheduler", "scheduler_command"),
    ("aduan.cli.intake", "intake_cli"),
)


def register(app) -> None:
    for module_name, attribute in COMMANDS:
        module = importlib.import_module(module_name)
        app.cli.add_command(getattr(module, attribute))
