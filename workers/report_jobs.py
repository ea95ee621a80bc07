"""Reports jobs: keep the rollups fresh and reconcile recent days. Each calls a service and is
safe to run twice (a day's rebuild replaces its rows; two rebuilds of one day wait for each
other)."""

from __future__ import annotations

from aduan.services.reports import rollups


def refresh_rollups() -> int:
    """Roll up again every day of every ticket changed since the last run."""
    return rollups.refresh_all()


def reconcile_recent_days() -> int:
    """Rebuild the last days of every agency from the raw tables (the safety net)."""
    return rollups.reconcile_recent()


def monthly_reports() -> int:
    """On the first working day of a month: tell the complaint managers last month's report
    is ready (once per manager per month)."""
    from aduan.services.reports import monthly

    return monthly.send_monthly_reports()
