"""Small builders that keep test bodies short (``gen_<thing>``)."""

from __future__ import annotations

import datetime as dt
import itertools

from aduan.extensions import db
from aduan.models import Agency, Category, Complainant, ContactIdentity, Officer, Unit
from aduan.services.admin.agency_setup import get_or_create_agency
from aduan.services.auth.passwords import hash_password
from aduan.services.tickets.opening import open_ticket

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"

# One argon2 hash for every test officer: hashing is deliberately slow.
_PASSWORD_HASH: list[str] = []


def _password_hash() -> str:
    if not _PASSWORD_HASH:
        _PASSWORD_HASH.append(hash_password(PASSWORD))
    return _PASSWORD_HASH[0]


def gen_agency(code: str | None = None, state: str = "10") -> Agency:
    n = next(_seq)
    agency = get_or_create_agency(code or f"AG{n}", f"Agensi Ujian {n}", state)
    db.session.flush()
    return agency


def gen_unit(agency: Agency, state: str = "10", parent: Unit | None = None, **kw) -> Unit:
    n = next(_seq)
    unit = Unit(
        agency_id=agency.id,
        code=kw.pop("code", f"U{n}"),
        name=kw.pop("name", f"Unit {n}"),
        state_code=state,
        parent=parent,
        **kw,
    )
    db.session.add(unit)
    db.session.flush()
    return unit


def gen_officer(agency: Agency, units=(), roles=("officer",), **kw) -> Officer:
    n = next(_seq)
    officer = Officer(
        agency_id=agency.id,
        username=kw.pop("username", f"officer{n}"),
        name=kw.pop("name", f"Pegawai {n}"),
        email=kw.pop("email", f"officer{n}@agency.test"),
        password_hash=_password_hash(),
        roles=list(roles),
        units=list(units),
        **kw,
    )
    db.session.add(officer)
    db.session.flush()
    return officer


def gen_complainant(
    agency: Agency, phone: str | None = None, email: str | None = None, **kw
) -> Complainant:
    """A complainant of ``agency`` (complainants are per agency) with its identities."""
    complainant = Complainant(agency_id=agency.id, phone=phone, email=email, **kw)
    for kind, handle in (("phone", phone), ("email", email)):
        if handle:
            identity = ContactIdentity(agency_id=agency.id, channel_type=kind, handle=handle)
            complainant.identities.append(identity)
    db.session.add(complainant)
    db.session.flush()
    return complainant


def gen_category(agency: Agency, code: str = "BPA-10") -> Category:
    return db.session.scalar(
        db.select(Category).where(Category.agency_id == agency.id, Category.code == code)
    )


def gen_ticket(agency: Agency | None = None, unit: Unit | None = None, **kw):
    agency = agency or gen_agency()
    unit = unit or gen_unit(agency)
    kw.setdefault("origin_channel", "web")
    kw.setdefault("description", "Lampu jalan rosak di Jalan Kenanga.")
    kw.setdefault("received_at", dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC))
    ticket = open_ticket(agency=agency, unit=unit, **kw)
    db.session.flush()
    return ticket


def login(client, officer) -> None:
    """Sign ``officer`` in on a test client without the sign-in form (tests of other pages).

    Sets the session identifier that Flask-Login's "strong" protection checks, and forgets a
    user cached on ``g``: test requests reuse the test's app context.
    """
    from flask import g
    from flask_login.utils import _create_identifier

    from aduan.web.auth_session import SESSION_VERSION_KEY

    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = str(officer.id)
        session["_fresh"] = True
        session["_id"] = identifier
        session[SESSION_VERSION_KEY] = officer.session_version
    g.pop("_login_user", None)
