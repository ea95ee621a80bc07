"""Shared set-up for the admin page tests: an agency with a unit and an admin signed in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aduan.extensions import db
from aduan.models import Agency, Officer, Unit
from tests.builders import gen_agency, gen_officer, gen_unit, login

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Setup:
    agency: Agency
    unit: Unit
    admin: Officer


def setup(client, roles=("admin",)) -> Setup:
    agency = gen_agency(state="10")
    unit = gen_unit(agency, state="10", code="HQ")
    admin = gen_officer(agency, units=[unit], roles=roles)
    db.session.commit()
    login(client, admin)
    return Setup(agency, unit, admin)


def token(client, path: str) -> str:
    """The CSRF token from a form page (the test app checks CSRF)."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    match = _TOKEN.search(response.get_data(as_text=True))
    assert match, f"no csrf token on {path}"
    return match.group(1)


def post(client, path: str, data: dict, form_page: str | None = None):
    """POST ``data`` with a token fetched from ``form_page`` (default: ``path``)."""
    return client.post(path, data={**data, "csrf_token": token(client, form_page or path)})
