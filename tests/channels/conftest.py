"""Fake provider servers as pytest fixtures: ``fake_twilio``, ``fake_telegram``, ``fake_graph``,
``fake_x`` — each a started FakeServer with ``.url``, ``.requests`` and a settable ``.mode``.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.fakes.graph import fake_graph as make_fake_graph
from tests.fakes.server import FakeServer
from tests.fakes.telegram import fake_telegram as make_fake_telegram
from tests.fakes.twilio import fake_twilio as make_fake_twilio
from tests.fakes.x import fake_x as make_fake_x


@pytest.fixture
def fake_twilio() -> Iterator[FakeServer]:
    with make_fake_twilio() as server:
        yield server


@pytest.fixture
def fake_telegram() -> Iterator[FakeServer]:
    with make_fake_telegram() as server:
        yield server


@pytest.fixture
def fake_graph() -> Iterator[FakeServer]:
    with make_fake_graph() as server:
        yield server


@pytest.fixture
def fake_x() -> Iterator[FakeServer]:
    with make_fake_x() as server:
        yield server


@pytest.fixture
def unused_url() -> str:
    """A loopback URL nobody listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
