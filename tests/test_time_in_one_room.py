"""The agency-local time zone is read in one room: ``aduan/services/sla`` (``clock.local_zone``).

Everything else asks ``sla.clock`` for ``local_zone``/``local_now``/``local_today``/
``local_moment``; a ``ZoneInfo(…TIMEZONE…)`` or a read of the ``TIMEZONE`` setting anywhere
else fails here (read with ``ast``, so a comment or a docstring does not count).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("aduan", "workers", "channels")
THE_ROOM = ROOT / "aduan" / "services" / "sla"
NOT_YET: set[str] = set()


def timezone_reads(source: str) -> list[int]:
    """Lines that build a ``ZoneInfo`` from the ``TIMEZONE`` setting or read that setting."""
    return sorted({node.lineno for node in ast.walk(ast.parse(source)) if _reads_zone(node)})


def _reads_zone(node: ast.AST) -> bool:
    if isinstance(node, ast.Call) and _name(node.func) == "ZoneInfo":
        return any(_mentions_timezone(arg) for arg in node.args)
    if isinstance(node, ast.Subscript):
        return _is_timezone(node.slice)
    if isinstance(node, ast.Call) and _name(node.func) == "get" and node.args:
        return _is_timezone(node.args[0])
    return False


def _name(func: ast.expr) -> str | None:
    return getattr(func, "id", None) or getattr(func, "attr", None)


def _is_timezone(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == "TIMEZONE"


def _mentions_timezone(node: ast.AST) -> bool:
    return any(_is_timezone(child) for child in ast.walk(node))


def test_the_detector_sees_each_way_of_reading_the_zone():
    assert timezone_reads('ZoneInfo(current_app.config["TIMEZONE"])') == [1]
    assert timezone_reads('zoneinfo.ZoneInfo(app.config.get("TIMEZONE") or "UTC")') == [1]
    assert timezone_reads('tz = settings["TIMEZONE"]\nx = 1\ny = cfg.get("TIMEZONE")') == [1, 3]
    assert timezone_reads('ZoneInfo("Asia/Kuala_Lumpur")\n"""TIMEZONE"""') == []


def test_the_time_zone_is_read_only_in_the_sla_package():
    found = {}
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.is_relative_to(THE_ROOM):
                continue
            relative = path.relative_to(ROOT).as_posix()
            lines = timezone_reads(path.read_text())
            if lines and relative not in NOT_YET:
                found[relative] = lines
    assert found == {}, "ask aduan.services.sla.clock (local_zone, local_today, …) instead"
