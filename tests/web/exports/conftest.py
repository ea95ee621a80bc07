"""Export pages are officer pages: each request starts with an empty ``g`` (``FreshClient``);
export jobs run in a burst worker inside the test's app (``worker_app``)."""

import pytest

from tests.web.inbox.conftest import client, make_client  # noqa: F401  (fixtures)
from workers.worker import AppWorker


@pytest.fixture
def worker_app(app_ctx, monkeypatch):
    monkeypatch.setattr(AppWorker, "_app", app_ctx)
    yield app_ctx
    AppWorker._app = None
