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

    Sets the session identifier that Flask-Login's "strong" protection checks, opens the
    officer's device record (``services/auth/devices.py``), sets up two-factor sign-in for an
    administrator who has none (their pages require it; ``gen_totp``), and forgets a user
    cached on ``g``: test requests reuse the test's app context.
    """
    from flask import g
    from flask_login.utils import _create_identifier

    from aduan.services.auth import devices, two_factor
    from aduan.web.auth_session import DEVICE_KEY, SESSION_VERSION_KEY

    if two_factor.needs_enrolment(officer):
        gen_totp(officer)
    key = devices.open_session(officer, "pytest", "127.0.0.1")
    db.session.commit()  # a view that rolls back must not take the device record with it
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = str(officer.id)
        session["_fresh"] = True
        session["_id"] = identifier
        session[SESSION_VERSION_KEY] = officer.session_version
        session[DEVICE_KEY] = key
    g.pop("_login_user", None)


def gen_totp(officer: Officer) -> str:
    """Switch two-factor sign-in on for ``officer`` (no recovery codes); returns the secret,
    from which ``totp_code`` computes the current code."""
    import pyotp

    from aduan.services.auth import two_factor
    from aduan.services.sealing import fernet

    secret = pyotp.random_base32()
    officer.totp_secret = fernet(two_factor.PURPOSE).encrypt(secret.encode()).decode()
    officer.totp_enabled_at = dt.datetime.now(dt.UTC)
    officer.totp_last_step = None
    db.session.flush()
    return secret


def totp_code(officer: Officer) -> str:
    """The current code of ``officer``'s authenticator app (``gen_totp``)."""
    import pyotp

    from aduan.services.auth import two_factor
    from aduan.services.sealing import fernet

    secret = fernet(two_factor.PURPOSE).decrypt(officer.totp_secret.encode()).decode()
    return pyotp.TOTP(secret).now()
