"""Access scoping: role × agency × unit."""

import pytest

from aduan.errors import NotFound
from aduan.extensions import db
from aduan.models.access import TicketAccessLog
from aduan.services.tickets import access
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit


@pytest.fixture
def world(db):
    agency = gen_agency()
    other = gen_agency()
    parent = gen_unit(agency)
    child = gen_unit(agency, parent=parent)
    grandchild = gen_unit(agency, parent=child)
    sibling = gen_unit(agency)
    foreign_unit = gen_unit(other)
    tickets = {
        "parent": gen_ticket(agency, parent),
        "child": gen_ticket(agency, child),
        "grandchild": gen_ticket(agency, grandchild),
        "sibling": gen_ticket(agency, sibling),
        "foreign": gen_ticket(other, foreign_unit),
    }
    officers = {
        "officer": gen_officer(agency, [parent]),
        "supervisor": gen_officer(agency, [parent], roles=("supervisor",)),
        "manager": gen_officer(agency, [], roles=("complaint_manager",)),
        "admin": gen_officer(agency, [], roles=("admin",)),
        "foreigner": gen_officer(other, [foreign_unit], roles=("complaint_manager",)),
        "unitless": gen_officer(agency, []),
        "inactive": gen_officer(agency, [parent], active=False),
    }
    return officers, tickets


EXPECTED = {
    "officer": {"parent"},
    "supervisor": {"parent", "child", "grandchild"},
    "manager": {"parent", "child", "grandchild", "sibling"},
    "admin": {"parent", "child", "grandchild", "sibling"},
    "foreigner": {"foreign"},
    "unitless": set(),
    "inactive": set(),
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_permission_matrix(world, role):
    officers, tickets = world
    officer = officers[role]
    seen = set(db.session.scalars(access.visible_tickets(officer)))
    assert seen == {tickets[name] for name in EXPECTED[role]}
    for name, ticket in tickets.items():
        allowed = name in EXPECTED[role]
        assert access.can_change(officer, ticket) is allowed
        if allowed:
            assert access.get_ticket_for(officer, ticket.reference.lower()) is ticket
        else:
            with pytest.raises(NotFound):
                access.get_ticket_for(officer, ticket.reference)


def test_log_access_writes_a_row(world):
    officers, tickets = world
    access.log_access(officers["officer"], tickets["parent"], "view")
    db.session.flush()
    row = db.session.scalar(db.select(TicketAccessLog))
    assert (row.officer_id, row.ticket_id, row.action) == (
        officers["officer"].id,
        tickets["parent"].id,
        "view",
    )
