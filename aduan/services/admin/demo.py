"""Demo data: two agencies side by side (a local council in Selangor, and a public works
department with state offices in Kedah, Johor and Kelantan, whose calendars differ), each with
its own units, officers, categories, secret-free counter and telephone accounts, canned
replies and realistic tickets across channels, statuses and deadlines; and a platform
administrator, who alone edits the national calendar.

Idempotent: an agency that exists already (or whose sign-ins do) is left as it is, and so
is the platform administrator. Deterministic (seeded random) so screenshots and
walkthroughs are repeatable.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from aduan.extensions import db
from aduan.models import (
    Agency,
    Category,
    Complainant,
    ContactIdentity,
    Officer,
    SurveyResponse,
    Ticket,
    Unit,
)
from aduan.models.access import CannedResponse
from aduan.models.base import utcnow
from aduan.models.routing import RosterPattern
from aduan.services.admin.agency_setup import get_or_create_agency
from aduan.services.admin.demo_data import (
    AGENCIES,
    CANNED_RESPONSES,
    CHANNELS,
    COMPLAINTS,
    DEMO_PASSWORD,
    NAMES,
    PLATFORM_ADMIN,
    STATUS_PATHS,
    TYPES,
    DemoAgency,
)
from aduan.services.auth.passwords import hash_password
from aduan.services.intake.counter_entry import ensure_account
from aduan.services.reports import rollups
from aduan.services.tickets import workflow
from aduan.services.tickets.opening import open_ticket
from aduan.vocabulary import Role


def seed(ticket_count: int = 200, progress: Callable[[int], None] | None = None) -> dict:
    """Create each demo agency that does not exist yet, and the platform administrator;
    return whether anything was created, the demo tickets and everyone's sign-ins."""
    created = False
    shares = _split(ticket_count)
    for spec, count in zip(AGENCIES, shares, strict=True):
        if not _present(spec):
            _seed_agency(spec, count, progress)
            created = True
    created = _platform_admin() or created
    db.session.commit()
    rollups.refresh_all()  # the dashboard shows the seeded months at once
    codes = [spec.code for spec in AGENCIES]
    tickets = db.session.scalar(
        db.select(db.func.count(Ticket.id)).join(Agency).where(Agency.code.in_(codes))
    )
    return {"created": created, "tickets": tickets, "credentials": _credentials()}


def _present(spec: DemoAgency) -> bool:
    """The agency exists, or its sign-ins do (the one-agency demo of earlier releases)."""
    if db.session.scalar(db.select(Agency.id).where(Agency.code == spec.code)) is not None:
        return True
    usernames = [officer[0] for officer in spec.officers]
    return (
        db.session.scalar(db.select(Officer.id).where(Officer.username.in_(usernames))) is not None
    )


def sign_in_lines(result: dict) -> list[str]:
    """The demo sign-ins, agency by agency, then the platform administrator (for printing)."""
    lines = ["Sign in at /login with (demo only):"]
    for heading, rows in result["credentials"]:
        lines.append(f"  {heading}")
        lines += [f"    {user:<17} {password}   [{roles}]" for user, password, roles in rows]
    return lines


def _split(ticket_count: int) -> list[int]:
    first = round(ticket_count * AGENCIES[0].share)
    return [first, ticket_count - first]


def _credentials() -> list[tuple[str, list[tuple[str, str, str]]]]:
    groups = [
        (f"{spec.code}: {spec.name}",
         [(user, DEMO_PASSWORD, ", ".join(roles)) for user, _n, roles, _u, _l in spec.officers])
        for spec in AGENCIES
    ]  # fmt: skip
    platform = [(PLATFORM_ADMIN[0], DEMO_PASSWORD, Role.PLATFORM_ADMIN.value)]
    return [*groups, ("Platform (the national calendar)", platform)]


def _seed_agency(spec: DemoAgency, ticket_count: int, progress) -> None:
    agency = get_or_create_agency(spec.code, spec.name, spec.state)
    units = _units(agency, spec)
    officers = _officers(agency, spec, units)
    agency.triage_unit_id = units[spec.triage].id
    agency.head_officer_id = officers[spec.head].id
    _categories(agency, spec, units)
    for channel in ("counter", "phone"):  # staff entry: the agency's own, secret-free accounts
        ensure_account(agency.id, channel)
    _canned_responses(agency)
    db.session.commit()
    rng = random.Random(f"2026-{spec.code}")
    categories = list(
        db.session.scalars(db.select(Category).where(Category.agency_id == agency.id))
    )
    paths = [path for path, weight in STATUS_PATHS for _ in range(weight)]
    for n in range(ticket_count):
        _ticket(rng, agency, units, officers, categories, rng.choice(paths))
        if (n + 1) % 20 == 0:
            db.session.commit()
        if progress:
            progress(1)
    db.session.commit()


def _platform_admin() -> bool:
    username, name, home = PLATFORM_ADMIN
    if db.session.scalar(db.select(Officer.id).where(Officer.username == username)):
        return False
    agency = db.session.scalar(db.select(Agency).where(Agency.code == home))
    if agency is None:
        return False
    db.session.add(
        Officer(agency_id=agency.id, username=username, name=name, roles=[],
                email=f"{username}@demo.aduan.example", locale="ms", platform_admin=True,
                password_hash=hash_password(DEMO_PASSWORD))
    )  # fmt: skip
    db.session.flush()
    return True


def _canned_responses(agency: Agency) -> None:
    for language, title, body in CANNED_RESPONSES:
        db.session.add(
            CannedResponse(agency_id=agency.id, language=language, title=title, body=body)
        )


def _units(agency: Agency, spec: DemoAgency) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for code, name, state, parent in spec.units:
        unit = Unit(agency_id=agency.id, code=code, name=name, state_code=state)
        unit.parent = units.get(parent) if parent else None
        db.session.add(unit)
        units[code] = unit
    db.session.flush()
    return units


def _categories(agency: Agency, spec: DemoAgency, units: dict[str, Unit]) -> None:
    for code, name_ms, name_en, unit_code in spec.categories:
        db.session.add(
            Category(agency_id=agency.id, code=code, name_ms=name_ms, name_en=name_en,
                     default_unit_id=units[unit_code].id)
        )  # fmt: skip
    db.session.flush()


def _officers(agency: Agency, spec: DemoAgency, units: dict[str, Unit]) -> dict[str, Officer]:
    password_hash = hash_password(DEMO_PASSWORD)
    officers: dict[str, Officer] = {}
    for username, name, roles, unit_codes, locale in spec.officers:
        officer = Officer(
            agency_id=agency.id,
            username=username,
            name=name,
            email=f"{username}@demo.aduan.example",
            password_hash=password_hash,
            roles=roles,
            locale=locale,
            units=[units[c] for c in unit_codes],
        )
        db.session.add(officer)
        officers[username] = officer
    db.session.flush()
    for unit_code, head in spec.unit_heads.items():
        units[unit_code].head_officer_id = officers[head].id
    _roster(officers)
    return officers


def _roster(officers: dict[str, Officer]) -> None:
    """Every officer on duty in each of their units every day of the week: the state's
    calendar already takes out its rest days and holidays."""
    for officer in officers.values():
        if officer.has_role(Role.OFFICER.value):
            for unit in officer.units:
                for weekday in range(7):
                    db.session.add(
                        RosterPattern(unit_id=unit.id, officer_id=officer.id, weekday=weekday)
                    )


def _complainant(
    rng: random.Random, agency: Agency, channel: str, language: str
) -> Complainant | None:
    if rng.random() < 0.08:
        return None  # anonymous, in the public interest
    name = rng.choice(NAMES)
    phone = f"+601{rng.randint(2, 9)}{rng.randint(1000000, 9999999)}"
    email = name.lower().replace(" ", ".") + f"{rng.randint(1, 99)}@example.my"
    complainant = Complainant(
        agency_id=agency.id, name=name, phone=phone, email=email, language=language
    )
    kind, handle = ("email", email) if channel == "email" else ("phone", phone)
    if db.session.scalar(
        db.select(ContactIdentity).where(
            ContactIdentity.agency_id == agency.id,
            ContactIdentity.channel_type == kind,
            ContactIdentity.handle == handle,
        )
    ):
        return None
    complainant.identities.append(
        ContactIdentity(agency_id=agency.id, channel_type=kind, handle=handle)
    )
    db.session.add(complainant)
    return complainant


def _ticket(rng, agency, units, officers, categories, path) -> Ticket:
    language, subject, text = rng.choice(COMPLAINTS)
    channel = rng.choice(CHANNELS)
    unit = rng.choice(list(units.values()))
    # five months back, so the reports' dashboard has months to compare
    received = utcnow() - dt.timedelta(days=rng.uniform(0, 150), hours=rng.uniform(0, 12))
    ticket = open_ticket(
        agency=agency,
        origin_channel=channel,
        subject=subject,
        description=text,
        type=rng.choice(TYPES),
        category=rng.choice(categories),
        unit=unit,
        complainant=_complainant(rng, agency, channel, language),
        received_at=received,
        language=language,
        state_code=unit.state_code,
        complexity="kompleks" if rng.random() < 0.1 else "biasa",
        priority_group=rng.choice((None,) * 12 + ("warga_emas", "oku", "ibu_mengandung")),
    )
    in_unit = [o for o in officers.values() if unit in o.units and o.has_role("officer")]
    ticket.assignee = rng.choice(in_unit) if in_unit and rng.random() < 0.85 else None
    _walk(rng, ticket, path, received)
    _rate(rng, ticket)
    return ticket


def _rate(rng, ticket: Ticket) -> None:
    """Half the resolved complainants answer the satisfaction survey (the reports show it)."""
    if ticket.resolved_at is None or rng.random() < 0.5:
        return
    answered = min(ticket.resolved_at + dt.timedelta(hours=rng.uniform(1, 48)), utcnow())
    db.session.add(
        SurveyResponse(
            ticket_id=ticket.id, resolved_at=ticket.resolved_at,
            requested_at=ticket.resolved_at, responded_at=answered,
            rating=rng.choice((2, 3, 4, 4, 5, 5)),
            comment=rng.choice(("", "", "Terima kasih, cepat diselesaikan.",
                                "Lambat sedikit tetapi selesai.")),
        )
    )  # fmt: skip


def _walk(rng, ticket: Ticket, path, received: dt.datetime) -> None:
    at = received
    now = utcnow()
    for status in path:
        at = min(at + dt.timedelta(hours=rng.uniform(2, 60)), now)
        reason = (
            "Menunggu laporan teknikal daripada kontraktor."
            if status in (workflow.REASON_REQUIRED)
            else None
        )
        workflow.change_status(
            ticket,
            status,
            actor=ticket.assignee,
            actor_kind="officer",
            reason=reason,
            at=at,
            notify=False,  # past history of a demonstration: nobody to tell
        )
