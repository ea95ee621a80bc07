"""Builders for the API tests: a token of an agency, and the headers that carry it."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from aduan.extensions import db
from aduan.services.api_tokens import tokens
from tests.builders import gen_officer


def gen_token(agency, scopes=("read", "write", "citizen"), name="Portal negeri"):
    """A token of ``agency`` and its secret (made by an admin of that agency)."""
    admin = gen_officer(agency, roles=("admin",))
    token, secret = tokens.create(
        admin, MultiDict([("name", name), *[("scopes", s) for s in scopes]])
    )
    db.session.commit()
    return token, secret


def bearer(secret: str, **extra) -> dict:
    return {"Authorization": f"Bearer {secret}", **extra}
