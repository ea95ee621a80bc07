"""Golden fixtures: every ``tests/fixtures/channels/<type>/*.json`` input is signed, verified,
split and parsed, and the result must equal its ``*.expected.json``.

Inputs are ``<name>.form.json`` (a Twilio form post) or ``<name>.json`` (a JSON webhook body).
Regenerate after a deliberate change with ``ADUAN_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
import time_machine

from channels.base import RawRequest
from channels.registry import get_adapter_class
from tests.channels.builders import (
    META_ACCOUNT,
    TELEGRAM_ACCOUNT,
    TWILIO_ACCOUNT,
    X_ACCOUNT,
    meta_request,
    telegram_request,
    twilio_request,
    x_request,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "channels"
NOW = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)  # for providers that send no timestamp
ACCOUNTS = {
    "sms": TWILIO_ACCOUNT,
    "whatsapp": TWILIO_ACCOUNT,
    "voice": TWILIO_ACCOUNT,
    "telegram": TELEGRAM_ACCOUNT,
    "whatsapp_cloud": META_ACCOUNT,
    "messenger": META_ACCOUNT,
    "instagram": META_ACCOUNT,
    "x": X_ACCOUNT,
}


def _inputs() -> list[Path]:
    paths = []
    for channel in ACCOUNTS:
        paths += [
            p for p in sorted((FIXTURES / channel).glob("*.json")) if ".expected." not in p.name
        ]
    return paths


def _request(channel: str, path: Path) -> RawRequest:
    if path.name.endswith(".form.json"):
        return twilio_request(json.loads(path.read_text("utf-8")), channel=channel)
    body = path.read_bytes()
    if channel == "telegram":
        return telegram_request(body)
    if channel == "x":
        return x_request(body)
    return meta_request(body)


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def run_adapter(channel: str, path: Path) -> dict[str, Any]:
    """verify → split → parse/parse_status, as the webhook view and the ingest job would."""
    adapter = get_adapter_class(channel)(ACCOUNTS[channel])
    request = _request(channel, path)
    assert adapter.verify(request)
    events = adapter.split(request)
    messages, statuses = [], []
    for event in events:
        assert event.channel == channel
        if event.kind == "message":
            messages += adapter.parse(event)
        else:
            statuses += adapter.parse_status(event)
    return _jsonable(
        {
            "events": [[e.kind, e.provider_id] for e in events],
            "messages": messages,
            "statuses": statuses,
        }
    )


@pytest.mark.parametrize("path", _inputs(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_fixture(path: Path) -> None:
    channel = path.parent.name
    expected_path = path.with_name(path.name.removesuffix(".json").removesuffix(".form"))
    expected_path = expected_path.with_name(expected_path.name + ".expected.json")
    with time_machine.travel(NOW, tick=False):
        result = run_adapter(channel, path)
    if os.environ.get("ADUAN_UPDATE_GOLDEN"):
        text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
        expected_path.write_text(text, "utf-8")
    assert result == json.loads(expected_path.read_text("utf-8"))


def test_every_adapter_type_has_fixtures() -> None:
    assert {p.parent.name for p in _inputs()} == set(ACCOUNTS)
