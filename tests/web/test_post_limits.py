"""A flood of citizen-page or sign-in posts from one address is refused before any body is
read (issue #12, finding 10): the views' own limits run after CSRF has parsed the form."""

from __future__ import annotations

from aduan.extensions import db
from aduan.models import InboundEvent

BROKEN_MULTIPART = {"Content-Type": "multipart/form-data; boundary=x"}


def test_once_an_address_has_posted_its_fill_the_next_post_is_refused_unread(app, client):
    app.config["PUBLIC_POST_LIMIT"] = "3 per minute"
    try:
        for _ in range(3):  # a malformed body: CSRF reads it and refuses it
            assert (
                client.post("/aduan/baru", data=b"--x\r\n", headers=BROKEN_MULTIPART).status_code
                == 400
            )
        refused = client.post("/aduan/baru", data=b"--x\r\n", headers=BROKEN_MULTIPART)
        assert refused.status_code == 429  # not 400: the body was never parsed
        assert client.post("/login", data={"username": "a", "password": "b"}).status_code == 429
    finally:
        app.config.pop("PUBLIC_POST_LIMIT")


def test_another_address_and_the_webhooks_are_not_held_back(app, client):
    app.config["PUBLIC_POST_LIMIT"] = "1 per minute"
    try:
        client.post("/aduan/baru", data={})
        assert client.post("/aduan/baru", data={}).status_code == 429
        other = client.post("/aduan/baru", data={}, environ_base={"REMOTE_ADDR": "10.9.8.7"})
        assert other.status_code != 429
        webhook = client.post("/webhooks/telegram", data=b"{}")
        assert webhook.status_code != 429  # providers are verified by signature instead
        assert db.session.scalar(db.select(db.func.count()).select_from(InboundEvent)) == 0
    finally:
        app.config.pop("PUBLIC_POST_LIMIT")
