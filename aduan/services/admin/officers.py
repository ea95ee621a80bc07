"""Officers of the admin's agency: create, edit roles and units, deactivate.

Passwords are hashed with argon2 (``passwords.hash_password``) and never shown or audited;
a new one must be at least 12 characters and hard to guess (``passwords.is_strong``: zxcvbn,
with the officer's own username, name and e-mail and the agency's name as known words).
Deactivation, a new password or fewer roles bump ``session_version``, which ends every
session of that officer at once (``auth_session.load_officer``).
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l

from aduan.extensions import db
from aduan.models import Agency, Officer, Unit
from aduan.services.admin import common as f
from aduan.services.auth.passwords import hash_password, is_strong
from aduan.services.tenancy import scoped
from aduan.vocabulary import agency_roles

MIN_PASSWORD = 12
SHORT_PASSWORD = _l("Use at least 12 characters.")
WEAK_PASSWORD = _l(
    "This password is too easy to guess: it is common or built from a name, a word, a date"
    " or a pattern. Use a longer phrase of unrelated words."
)
BAD_EMAIL = _l("Enter a valid e-mail address.")
BAD_USERNAME = _l("Use letters, digits, dot, dash or underscore.")
NO_ROLE = _l("Choose at least one role.")
USERNAME_TAKEN = _l(
    "This username is already taken in this system (capital and small letters count as the same)."
)
NOT_YOURSELF = _l("You cannot deactivate yourself or remove your own admin role.")
FIELDS = ("username", "name", "email", "roles", "unit_ids", "locale", "active")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_USERNAME = re.compile(r"^[\w.-]+$")


def list_for(agency_id: int) -> list[Officer]:
    """The agency's officers by username."""
    query = scoped(db.select(Officer), Officer, agency_id)
    return list(db.session.scalars(query.order_by(Officer.username)))


def units_of(agency_id: int) -> list[Unit]:
    """The agency's units by code."""
    return list(db.session.scalars(scoped(db.select(Unit), Unit, agency_id).order_by(Unit.code)))


def values(officer: Officer | None) -> dict[str, Any]:
    if officer is None:
        return {"active": True, "roles": ["officer"], "unit_ids": [], "locale": "ms"}
    return _snapshot(officer)


def save(actor: Officer, form, officer: Officer | None = None) -> Officer:
    """Create or update an officer of the actor's agency; audited; the caller commits."""
    errors: f.Errors = {}
    data = _clean(actor, form, officer, errors)
    f.fail_if(errors)
    before = _snapshot(officer) if officer is not None else None
    if officer is None:
        officer = Officer(agency_id=actor.agency_id, session_version=1, password_hash="")
        db.session.add(officer)
    password = data.pop("password")
    units = data.pop("units")
    revoke = before is not None and _revokes(before, data, bool(password))
    for key, value in data.items():
        setattr(officer, key, value)
    officer.units = units
    if password:
        officer.password_hash = hash_password(password)
    if revoke:
        officer.session_version = (officer.session_version or 1) + 1
    db.session.flush()
    after = {**_snapshot(officer), "password_changed": bool(password), "sessions_ended": revoke}
    f.audit(actor, "officer", officer.id, "update" if before else "create", before, after)
    return officer


def _clean(actor: Officer, form, officer: Officer | None, errors: f.Errors) -> dict[str, Any]:
    username = f.text(form, "username", errors, max_len=80)
    if username and not _USERNAME.match(username):
        f.add(errors, "username", BAD_USERNAME)
    elif username and _username_taken(username, officer):
        f.add(errors, "username", USERNAME_TAKEN)
    email = f.text(form, "email", errors, max_len=254)
    if email and not _EMAIL.match(email):
        f.add(errors, "email", BAD_EMAIL)
    password = str(form.get("password") or "")
    if (officer is None or password) and len(password) < MIN_PASSWORD:
        f.add(errors, "password", SHORT_PASSWORD if password else f.REQUIRED)
    elif password and not is_strong(password, _personal_words(actor, form, officer)):
        f.add(errors, "password", WEAK_PASSWORD)
    roles = f.choices(form, "roles", errors, [r.value for r in agency_roles()])
    if not roles and "roles" not in errors:
        f.add(errors, "roles", NO_ROLE)
    units = {str(u.id): u for u in units_of(actor.agency_id)}
    unit_ids = f.choices(form, "unit_ids", errors, units)
    active = f.checkbox(form, "active")
    if officer is not None and officer.id == actor.id and (not active or "admin" not in roles):
        f.add(errors, "active", NOT_YOURSELF)
    return {
        "username": username,
        "name": f.text(form, "name", errors, max_len=200),
        "email": email.lower(),
        "password": password,
        "roles": roles,
        "units": [units[i] for i in unit_ids],
        "locale": f.choice(form, "locale", errors, ("ms", "en")) or "ms",
        "active": active,
    }


def _personal_words(actor: Officer, form, officer: Officer | None) -> list[str]:
    """What an attacker knows of the officer and the agency, tried before any dictionary."""
    known = [form.get("username"), form.get("name"), form.get("email")]
    if officer is not None:
        known += [officer.username, officer.name, officer.email]
    agency = db.session.get(Agency, actor.agency_id)
    return [str(v) for v in [*known, agency.code, agency.name] if v]


def _revokes(before: dict[str, Any], data: dict[str, Any], new_password: bool) -> bool:
    lost_roles = set(before["roles"]) - set(data["roles"])
    return new_password or (before["active"] and not data["active"]) or bool(lost_roles)


def _username_taken(username: str, officer: Officer | None) -> bool:
    """Taken by any officer of any agency, whatever the case: sign-in compares lower case."""
    query = db.select(Officer.id).where(db.func.lower(Officer.username) == username.lower())
    if officer is not None:
        query = query.where(Officer.id != officer.id)
    return db.session.scalar(query) is not None


def _snapshot(officer: Officer) -> dict[str, Any]:
    """Everything the form shows; never the password hash."""
    return {
        "username": officer.username,
        "name": officer.name,
        "email": officer.email,
        "roles": list(officer.roles or []),
        "unit_ids": sorted(str(u.id) for u in officer.units),
        "locale": officer.locale,
        "active": bool(officer.active),
    }
