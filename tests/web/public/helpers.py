"""Helpers for the public pages: CSRF tokens from the rendered form, a valid filing."""

from __future__ import annotations

import io
import re
import uuid

from aduan.extensions import db
from aduan.models import Ticket
from aduan.services.citizen import status as status_lookup
from tests.builders import gen_agency, gen_category, gen_complainant, gen_ticket, gen_unit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf(client, path: str = "/aduan/baru") -> str:
    html = client.get(path).get_data(as_text=True)
    return _TOKEN.search(html).group(1)


def setup_agency():
    agency = gen_agency(code="DEF")
    unit = gen_unit(agency)
    agency.triage_unit_id = unit.id
    category = gen_category(agency, "BPA-03")
    db.session.commit()
    return agency, category


def complaint(token: str, cat, **overrides) -> dict:
    data = {
        "csrf_token": token,
        "form_id": uuid.uuid4().hex,
        "type": "aduan",
        "category": str(cat.id),
        "description": "Lampu jalan di Jalan Kenanga rosak sejak minggu lepas.",
        "state": "10",
        "district": "Petaling",
        "latitude": "3.1390",
        "longitude": "101.6869",
        "name": "Siti",
        "phone": "012-345 6789",
        "email": "",
        "priority_group": "warga_emas",
        "website": "",
    }
    data.update(overrides)
    return data


def with_file(data: dict, content: bytes = PNG, name: str = "foto.png") -> dict:
    data = dict(data)
    data["attachments"] = [(io.BytesIO(content), name, "image/png")]
    return data


def file_with_another_agency(client) -> tuple[Ticket, Ticket]:
    """Siti's web complaint (answer 6789) and another agency's ticket (answer 4321)."""
    _, category = setup_agency()
    other = gen_agency(code="OTH")
    someone = gen_complainant(other, phone="+60198764321")
    theirs = gen_ticket(other, gen_unit(other), complainant=someone)
    status_lookup.set_contact_check(theirs, "4321")
    db.session.commit()
    client.post("/aduan/baru", data=complaint(csrf(client), category))
    ours = db.session.scalar(db.select(Ticket).where(Ticket.agency_id != other.id))
    return ours, theirs


def setup_second_agency(code: str = "MBPJ", **settings):
    """Agency B beside the default one: its name, hotline and address, a triage unit, its own
    e-mail account (the door sends B's acknowledgements from it) and one category of its own."""
    from aduan.models import Category, ChannelAccount

    agency = gen_agency(code=code)
    agency.name = "Majlis Bandaraya Petaling Jaya"
    agency.settings = {
        "public_hotline": "1-800-22-8000",
        "public_address": "Jalan Yong Shook Lin\n46675 Petaling Jaya",
        **settings,
    }
    unit = gen_unit(agency)
    agency.triage_unit_id = unit.id
    db.session.add(
        ChannelAccount(channel="email", account_key="mbpj-mail", agency_id=agency.id,
                       settings={}, poll_state={}, active=True)
    )  # fmt: skip
    own = Category(agency_id=agency.id, code="MBPJ-01", name_ms="Pokok Tumbang",
                   name_en="Fallen tree", active=True)  # fmt: skip
    db.session.add(own)
    db.session.commit()
    return agency, own
