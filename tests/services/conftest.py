"""Fixtures shared by the intake, threading and outbound service tests."""

import pytest

from tests.builders import gen_agency, gen_unit


@pytest.fixture
def agency(db):
    """Agency JKR with a triage unit (where unrouted complaints land)."""
    agency = gen_agency("JKR")
    agency.triage_unit_id = gen_unit(agency).id
    db.session.commit()
    return agency
