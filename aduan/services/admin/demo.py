"""Demo data: one agency with units in Selangor, Kedah, Johor and Kelantan, one officer per
role, and about 200 realistic tickets across channels, statuses and deadlines.

Idempotent: a second run finds the demo agency and adds nothing. Deterministic (seeded random)
so screenshots and walkthroughs are repeatable.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from aduan.extensions import db
from aduan.models import Agency, Category, Complainant, ContactIdentity, Officer, Ticket, Unit
from aduan.models.access import CannedResponse
from aduan.models.base import utcnow
from aduan.models.routing import RosterPattern
from aduan.services.admin.agency_setup import get_or_create_agency
from aduan.services.auth.passwords import hash_password
from aduan.services.tickets import workflow
from aduan.services.tickets.opening import open_ticket
from aduan.vocabulary import Role
from aduan.vocabulary import TicketStatus as S

AGENCY_CODE = "DEMO"
DEMO_PASSWORD = "Demo-Aduan-2026"  # noqa: S105 - a published demo credential

CANNED_RESPONSES = (
    # language, title, body
    (
        "ms",
        "Aduan diterima",
        "Terima kasih kerana menghubungi kami. Aduan tuan/puan telah "
        "diterima dan sedang disemak oleh pegawai kami. Kami akan memaklumkan perkembangannya.",
    ),
    (
        "ms",
        "Maklumat tambahan diperlukan",
        "Untuk membantu siasatan, mohon kongsikan lokasi "
        "tepat, tarikh kejadian dan gambar (jika ada) dengan membalas mesej ini.",
    ),
    (
        "ms",
        "Tindakan selesai",
        "Tindakan pembaikan telah diambil oleh pihak kami. Sekiranya "
        "masalah berulang, sila balas mesej ini dalam tempoh 14 hari.",
    ),
    (
        "en",
        "Complaint received",
        "Thank you for contacting us. Your complaint has been received "
        "and is being reviewed by our officers. We will keep you informed of its progress.",
    ),
    (
        "en",
        "More information needed",
        "To help our investigation, please share the exact "
        "location, the date it happened and photos (if any) by replying to this message.",
    ),
)

UNITS = (
    # code, name, state, parent code
    ("HQ-SGR", "Unit Perhubungan Pelanggan (Ibu Pejabat)", "10", None),
    ("ENG-SGR", "Bahagian Kejuruteraan Selangor", "10", "HQ-SGR"),
    ("KDH", "Pejabat Negeri Kedah", "02", "HQ-SGR"),
    ("JHR", "Pejabat Negeri Johor", "01", "HQ-SGR"),
    ("KTN", "Pejabat Negeri Kelantan", "03", "HQ-SGR"),
)

OFFICERS = (
    # username, name, roles, units, locale
    ("admin", "Aminah binti Yusof", [Role.ADMIN.value], ["HQ-SGR"], "ms"),
    ("pengurus", "Rajesh a/l Kumar", [Role.COMPLAINT_MANAGER.value], ["HQ-SGR"], "en"),
    ("penyelia", "Tan Mei Ling", [Role.SUPERVISOR.value], ["HQ-SGR", "ENG-SGR"], "ms"),
    ("pegawai", "Muhammad Hafiz bin Ismail", [Role.OFFICER.value], ["HQ-SGR"], "ms"),
    ("pegawai.kedah", "Nur Aisyah binti Ahmad", [Role.OFFICER.value], ["KDH"], "ms"),
    ("pegawai.johor", "Lim Wei Jie", [Role.OFFICER.value], ["JHR"], "en"),
)

COMPLAINTS = (
    (
        "ms",
        "Lampu jalan rosak",
        "Lampu jalan di Jalan Kenanga 3 tidak menyala sejak minggu lepas. "
        "Kawasan ini gelap dan berbahaya pada waktu malam.",
    ),
    (
        "ms",
        "Sampah tidak dikutip",
        "Sampah di hadapan rumah saya tidak dikutip selama 5 hari. Bau busuk dan lalat banyak.",
    ),
    (
        "ms",
        "Jalan berlubang",
        "Terdapat lubang besar di Jalan Sultan Badlishah berhampiran sekolah. "
        "Sudah dua motosikal terjatuh.",
    ),
    (
        "ms",
        "Longkang tersumbat",
        "Longkang di Taman Sri Muda tersumbat dan air melimpah ke jalan setiap kali hujan lebat.",
    ),
    (
        "ms",
        "Kelewatan permohonan lesen",
        "Permohonan lesen perniagaan saya sudah 3 bulan tanpa "
        "sebarang maklum balas daripada pejabat.",
    ),
    (
        "ms",
        "Layanan kaunter kurang mesra",
        "Pegawai di kaunter 4 bercakap kasar dan enggan "
        "menerangkan prosedur kepada ibu saya yang warga emas.",
    ),
    (
        "en",
        "Streetlight out",
        "The streetlight in front of house no. 12, Jalan Mawar is flickering "
        "and goes off completely after midnight.",
    ),
    (
        "en",
        "Illegal dumping",
        "Someone keeps dumping construction waste on the empty lot next to "
        "the playground at Taman Desa.",
    ),
    (
        "en",
        "Website form not working",
        "The online payment page shows an error every time I try "
        "to pay my assessment tax. I tried three different browsers.",
    ),
    (
        "en",
        "Noise from construction site",
        "Construction work continues past 11pm every night near Persiaran Indah. We cannot sleep.",
    ),
    (
        "ms",
        "Cadangan tambah tempat letak kereta",
        "Saya mencadangkan supaya lebih banyak petak "
        "letak kereta OKU disediakan di hadapan pejabat.",
    ),
    (
        "en",
        "Thank you for quick repair",
        "The burst pipe at our street was repaired within a day. Thank you to the team!",
    ),
    (
        "ms",
        "Pertanyaan status bayaran balik",
        "Bilakah bayaran balik deposit saya akan dibuat? No. resit 88213.",
    ),
    (
        "ms",
        "Pokok tumbang 🌳",
        "Pokok besar tumbang menghalang separuh jalan di Lorong Cempaka. Mohon tindakan segera 🙏",
    ),
)

TYPES = ("aduan",) * 7 + ("pertanyaan", "cadangan", "penghargaan", "maklum_balas")
CHANNELS = ("web", "email", "sms", "whatsapp", "telegram", "messenger", "counter", "phone", "x")
NAMES = (
    "Siti Nurhaliza",
    "Ahmad Faizal",
    "Chong Kah Wai",
    "Kavitha Raman",
    "Mohd Azlan",
    "Nurul Izzah",
    "Wong Siew Lan",
    "Ravi Shankar",
    "Farah Hanim",
    "Daniel Lee",
)
# (status path walked through the workflow, share of tickets)
STATUS_PATHS = (
    ((), 20),
    ((S.ACKNOWLEDGED,), 30),
    ((S.ACKNOWLEDGED, S.IN_PROGRESS), 50),
    ((S.ACKNOWLEDGED, S.IN_PROGRESS, S.WAITING_COMPLAINANT), 15),
    ((S.ACKNOWLEDGED, S.EXTENDED), 10),
    ((S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED), 40),
    ((S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED), 25),
    ((S.ACKNOWLEDGED, S.OUT_OF_JURISDICTION), 5),
    ((S.ACKNOWLEDGED, S.NO_FURTHER_ACTION), 5),
)


def seed(ticket_count: int = 200, progress: Callable[[int], None] | None = None) -> dict:
    """Create the demo data unless it exists; return what was created and the credentials."""
    existing = db.session.scalar(db.select(Agency).where(Agency.code == AGENCY_CODE))
    if existing is not None:
        count = db.session.scalar(
            db.select(db.func.count(Ticket.id)).where(Ticket.agency_id == existing.id)
        )
        return {"created": False, "tickets": count, "credentials": _credentials()}
    agency = get_or_create_agency(AGENCY_CODE, "Majlis Perkhidmatan Awam Contoh (Demo)", "10")
    units = _units(agency)
    officers = _officers(agency, units)
    agency.triage_unit_id = units["HQ-SGR"].id
    agency.head_officer_id = officers["pengurus"].id
    _canned_responses(agency)
    db.session.commit()
    rng = random.Random(2026)
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
    return {"created": True, "tickets": ticket_count, "credentials": _credentials()}


def _credentials() -> list[tuple[str, str, str]]:
    return [(username, DEMO_PASSWORD, ", ".join(roles)) for username, _, roles, _, _ in OFFICERS]


def _canned_responses(agency: Agency) -> None:
    for language, title, body in CANNED_RESPONSES:
        db.session.add(
            CannedResponse(agency_id=agency.id, language=language, title=title, body=body)
        )


def _units(agency: Agency) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for code, name, state, parent in UNITS:
        unit = Unit(agency_id=agency.id, code=code, name=name, state_code=state)
        unit.parent = units.get(parent) if parent else None
        db.session.add(unit)
        units[code] = unit
    db.session.flush()
    return units


def _officers(agency: Agency, units: dict[str, Unit]) -> dict[str, Officer]:
    password_hash = hash_password(DEMO_PASSWORD)
    officers: dict[str, Officer] = {}
    for username, name, roles, unit_codes, locale in OFFICERS:
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
    units["HQ-SGR"].head_officer_id = officers["penyelia"].id
    units["ENG-SGR"].head_officer_id = officers["penyelia"].id
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
    received = utcnow() - dt.timedelta(days=rng.uniform(0, 40), hours=rng.uniform(0, 12))
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
    return ticket


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
            ticket, status, actor=ticket.assignee, actor_kind="officer", reason=reason, at=at
        )
