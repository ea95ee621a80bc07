"""SLA and daily-handling jobs. Each calls a service and is safe to run twice (or at once)."""

from __future__ import annotations

import datetime as dt

from aduan.services.sla import daily_handling, sweeps
from aduan.services.sla.clock import local_now
from aduan.services.tickets import loads

# Morning notices go out at the first run after this local time (then never again that day).
MORNING = dt.time(7, 30)


def sweep_sla() -> dict:
    """Warn, escalate and recover on every ticket due a check now."""
    return dict(sweeps.sweep_sla())


def handling_reminders() -> int:
    """Reminders for tickets untouched on the previous working day (once per ticket per day)."""
    return daily_handling.send_handling_reminders() if _morning_has_come() else 0


def morning_digest() -> int:
    """One digest per officer per day."""
    return daily_handling.send_morning_digest() if _morning_has_come() else 0


def _morning_has_come() -> bool:
    return local_now().time() >= MORNING


def reconcile_open_counts() -> int:
    """Count every officer's open tickets again and correct the kept counts (``loads``)."""
    return loads.reconcile()
