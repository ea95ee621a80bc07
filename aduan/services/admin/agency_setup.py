"""Setting up an agency: its default SLA profile and the Public Complaints Bureau categories."""

from __future__ import annotations

from aduan.extensions import db
from aduan.models import Agency, Category, SlaProfile
from aduan.services.sla.working_calendar import normalise_state
from aduan.services.tickets.deadlines import DEFAULT_PROFILE_NAME
from aduan.vocabulary import BPA_CATEGORIES


def get_or_create_agency(code: str, name: str, state_code: str) -> Agency:
    """Idempotent: an existing agency with ``code`` is returned unchanged."""
    agency = db.session.scalar(db.select(Agency).where(Agency.code == code))
    if agency is None:
        agency = Agency(code=code, name=name, state_code=normalise_state(state_code), settings={})
        db.session.add(agency)
        db.session.flush()
    ensure_reference_data(agency)
    return agency


def ensure_reference_data(agency: Agency) -> None:
    """Give ``agency`` the default SLA profile and every BPA category it does not have yet."""
    profile = db.session.scalar(
        db.select(SlaProfile).where(
            SlaProfile.agency_id == agency.id, SlaProfile.name == DEFAULT_PROFILE_NAME
        )
    )
    if profile is None:
        profile = SlaProfile(agency_id=agency.id, name=DEFAULT_PROFILE_NAME)
        db.session.add(profile)
        db.session.flush()
    existing = set(
        db.session.scalars(db.select(Category.code).where(Category.agency_id == agency.id))
    )
    for code, name_ms, name_en in BPA_CATEGORIES:
        if code not in existing:
            db.session.add(
                Category(
                    agency_id=agency.id,
                    code=code,
                    name_ms=name_ms,
                    name_en=name_en,
                    sla_profile_id=profile.id,
                )
            )
    db.session.flush()
