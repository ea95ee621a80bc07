"""``flask calendar due`` and ``flask calendar days`` on a bare Flask app."""

from __future__ import annotations

import sys
import types
from datetime import date

import pytest
from flask import Flask

from aduan.cli.calendar import calendar_cli
from aduan.services.sla.working_calendar import HolidayRule

RULES_MODULE = "aduan.services.sla.holiday_rules"


@pytest.fixture
def no_overrides(overrides):
    """No admin overrides: the package calendar alone."""
    overrides()


@pytest.fixture
def overrides(monkeypatch):
    """A fake override loader holding the given rules."""

    def install(*rules: HolidayRule) -> None:
        module = types.ModuleType(RULES_MODULE)
        module.load_holiday_rules = lambda: list(rules)
        monkeypatch.setitem(sys.modules, RULES_MODULE, module)

    return install


def run(*args: str):
    return Flask(__name__).test_cli_runner().invoke(calendar_cli, list(args))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["2025-01-02T10:00", "3", "--state", "10"], "2025-01-07T17:00:00+08:00"),
        (["2025-01-02T10:00", "1", "--state", "KDH"], "2025-01-05T17:00:00+08:00"),
        (["2025-01-02", "1", "--state", "kedah"], "2025-01-05T17:00:00+08:00"),
        # 17:30Z is 01:30 on Friday in Kuala Lumpur.
        (["2025-01-02T17:30:00+00:00", "1", "--state", "10"], "2025-01-06T17:00:00+08:00"),
        (["2025-01-02T10:00", "0", "--state", "1"], "2025-01-02T17:00:00+08:00"),
    ],
)
def test_due_prints_the_iso_deadline(no_overrides, args, expected):
    result = run("due", *args)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == expected


def test_due_applies_holiday_overrides(overrides):
    overrides(HolidayRule(date(2025, 1, 3), "10", "Cuti Peristiwa", is_holiday=True))
    result = run("due", "2025-01-02T10:00", "1", "--state", "SGR")
    assert result.output.strip() == "2025-01-06T17:00:00+08:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2025-01-02", "1", "--state", "XX"], "unknown state 'XX'"),
        (["2025-13-02", "1", "--state", "10"], "not an ISO-8601"),
        (["yesterday", "1", "--state", "10"], "not an ISO-8601"),
        (["2025-01-02", "-1", "--state", "10"], "must be 0 or more"),
        (["2025-01-02", "one", "--state", "10"], "not a valid integer"),
        (["2025-01-02", "1"], "Missing option '--state'"),
    ],
)
def test_due_rejects_bad_input(no_overrides, args, message):
    result = run("due", *args)
    assert result.exit_code != 0
    assert message in result.output


def test_days_lists_the_month(no_overrides):
    result = run("days", "2025-02", "--state", "KUL")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 28
    assert lines[0] == "2025-02-01 Sat holiday: Federal Territory Day"
    assert lines[1] == "2025-02-02 Sun rest"
    assert lines[2] == "2025-02-03 Mon working"
    assert lines[10] == "2025-02-11 Tue holiday: Thaipusam"


def test_days_uses_the_state_weekend(no_overrides):
    lines = run("days", "2025-01", "--state", "02").output.splitlines()
    assert lines[2:5] == ["2025-01-03 Fri rest", "2025-01-04 Sat rest", "2025-01-05 Sun working"]


def test_days_shows_overrides(overrides):
    overrides(
        HolidayRule(date(2025, 2, 11), "14", "Thaipusam moved", is_holiday=False),
        HolidayRule(date(2025, 2, 12), None, "Cuti Peristiwa", is_holiday=True),
    )
    lines = run("days", "2025-02", "--state", "14").output.splitlines()
    assert lines[10:12] == ["2025-02-11 Tue working", "2025-02-12 Wed holiday: Cuti Peristiwa"]


@pytest.mark.parametrize("month", ["2025-13", "2025", "Feb 2025"])
def test_days_rejects_a_bad_month(no_overrides, month):
    result = run("days", month, "--state", "10")
    assert result.exit_code != 0
    assert "is not a month like 2025-01" in result.output
