"""Which agency a public page speaks for, and what it tells citizens about that agency.

Each agency has its own form, status page and client charter under ``/a/<code>/…`` (or on a
host name of its own, ``PUBLIC_HOSTS``: ``aduan.mbpj.gov.my=MBPJ,…``), carrying its name,
hotline, address and office hours. Pages without an agency are the national ones: the landing
page listing the agencies, the form whose complaints routing places (the default agency, as
before agencies had pages of their own) and the status page that answers for any agency.

A filing on an agency's form is stored on the agency's own web account (``web_account``), so
intake (``channel_config.lookup.agency_for``) makes it that agency's ticket, and the door sends
its acknowledgement from that agency's accounts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func

from aduan.extensions import db
from aduan.models import Agency, Category
from aduan.services.channel_config.accounts import DEFAULT_KEY, default_agency_id
from aduan.services.channel_config.lookup import default_agency
from aduan.services.channel_config.ownership import own_account

HOTLINE = "public_hotline"
ADDRESS = "public_address"
SETTINGS = (HOTLINE, ADDRESS)
WEB = "web"


@dataclass(frozen=True)
class Profile:
    """What every public page of an agency shows about it."""

    code: str
    name: str
    hotline: str
    address: str
    office_open: dt.time | None
    office_close: dt.time | None
    logo: bool = False


def by_code(code: str | None) -> Agency | None:
    """The agency whose code is ``code`` (any case), else None."""
    if not code or len(code) > 20:
        return None
    return db.session.scalar(db.select(Agency).where(func.upper(Agency.code) == code.upper()))


def hosted_agency_code(host: str | None) -> str | None:
    """The agency code ``PUBLIC_HOSTS`` maps the request's host name to (port ignored)."""
    name = (host or "").split(":", 1)[0].strip().lower()
    return host_map().get(name) if name else None


def host_map() -> dict[str, str]:
    """``PUBLIC_HOSTS`` (``host=CODE,host=CODE``) as {host: code}."""
    raw = current_app.config.get("PUBLIC_HOSTS") or ""
    pairs = (item.split("=", 1) for item in raw.split(",") if "=" in item)
    return {host.strip().lower(): code.strip() for host, code in pairs if host.strip()}


def page_agency(code: str | None, host: str | None) -> Agency | None:
    """The agency a public page speaks for: the one named in the path, else the one whose
    host name the page was asked on, else None (a national page). ``LookupError`` when the
    path names no agency."""
    if code is not None:
        agency = by_code(code)
        if agency is None:
            raise LookupError(code)
        return agency
    return by_code(hosted_agency_code(host))


def listed() -> list[Agency]:
    """Every agency, by name: the national landing page's list."""
    return list(db.session.scalars(db.select(Agency).order_by(Agency.name, Agency.id)))


def charter_agency(agency: Agency | None) -> Agency:
    """Whose charter a page shows: its own agency's, the default agency's on a national page."""
    return agency if agency is not None else default_agency()


def filing_agency(agency: Agency | None) -> Agency:
    """Whose categories the form offers: its agency's; on the national form the default
    agency's, which owns what routing places there."""
    return agency if agency is not None else default_agency()


def profile(agency: Agency) -> Profile:
    settings = agency.settings or {}
    return Profile(
        code=agency.code,
        name=agency.name,
        hotline=str(settings.get(HOTLINE) or ""),
        address=str(settings.get(ADDRESS) or ""),
        office_open=agency.office_open,
        office_close=agency.office_close,
        logo=isinstance(settings.get("public_logo"), dict),
    )


def categories(agency: Agency) -> list[Category]:
    """The agency's active categories, the form's choices."""
    return list(
        db.session.scalars(
            db.select(Category)
            .where(Category.agency_id == agency.id, Category.active.is_(True))
            .order_by(Category.code)
        )
    )


def web_account(agency: Agency | None) -> str:
    """The web account key a filing or status-page reply is stored on: the agency's own
    secret-free ``agency-<id>`` account (made when first needed), ``default`` for the default
    agency and for the national form."""
    if agency is None or agency.id == default_agency_id():
        return DEFAULT_KEY
    return own_account(agency.id, WEB)


def owns(agency: Agency | None, agency_id: int) -> bool:
    """Whether a page of ``agency`` may show a ticket of ``agency_id`` (national pages: all)."""
    return agency is None or agency.id == agency_id
