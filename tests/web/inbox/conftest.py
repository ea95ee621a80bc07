"""Inbox request tests run inside the ``app_ctx`` app context, which Flask reuses for every
request of a test: ``g`` (Flask-Login's loaded user, the CSRF token, the locale) would leak
from one request into the next. This client starts each request with an empty ``g``, as a
real server does."""

import pytest
from flask import g
from flask.testing import FlaskClient


class FreshClient(FlaskClient):
    def open(self, *args, **kwargs):
        for name in list(vars(g)):
            delattr(g, name)
        return super().open(*args, **kwargs)


@pytest.fixture
def make_client(app_ctx):
    return lambda: FreshClient(app_ctx, app_ctx.response_class, use_cookies=True)


@pytest.fixture
def client(make_client):
    return make_client()
