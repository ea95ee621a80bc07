"""Two agencies, each with one of everything an agency owns, for the tenant matrix
(``tests/web/test_tenant_matrix.py``); and a snapshot of one agency's rows, read through the
tenancy rule (``aduan/services/tenancy.py``) for every model, to compare before and after.

Every name an agency's rows carry holds its tag (``Zirkon`` for A, ``Kuarza`` for B), so a page
that shows another agency's data is caught by a plain substring search.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from aduan.extensions import db
from aduan.models import (
    AdminAuditLog,
    Attachment,
    CannedResponse,
    HolidayOverride,
    InboundEvent,
    Message,
    OfficeClosure,
    Officer,
    OfficerSession,
    SlaProfile,
    officer_units,
)
from aduan.models.api import SCOPES
from aduan.models.exports import Export
from aduan.models.routing import (
    Notification,
    RosterException,
    RosterPattern,
    RoutingRule,
    SavedView,
)
from aduan.models.webhooks import WebhookSubscription
from aduan.services import tenancy
from aduan.services.api_tokens import tokens
from aduan.services.channel_config.accounts import save_account
from aduan.services.citizen import status as citizen_status
from aduan.services.intake.attachments import save_bytes
from aduan.services.webhooks.subscriptions import new_secret, seal
from aduan.vocabulary import agency_roles
from tests.builders import (
    gen_agency,
    gen_category,
    gen_complainant,
    gen_officer,
    gen_ticket,
    gen_unit,
)
from tests.builders_quality import quality_rows

NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def channel_secrets(tag: str) -> dict[str, dict[str, str]]:
    """One account per webhook channel, every secret the agency's own."""
    low = tag.lower()
    twilio = {"account_sid": "AC" + low.ljust(32, "0"), "auth_token": f"twilio-token-{low}",
              "sms_number": "+6030000" + ("1111" if tag == "Zirkon" else "2222")}  # fmt: skip
    return {
        "sms": twilio,
        "whatsapp": {**twilio, "whatsapp_number": "whatsapp:" + twilio["sms_number"]},
        "voice": twilio,
        "telegram": {"bot_token": f"123:tg-bot-{low}", "webhook_secret": f"tg-secret-{low}"},
        "whatsapp_cloud": {"app_secret": f"meta-secret-{low}", "verify_token": f"verify-{low}",
                           "access_token": f"meta-access-{low}", "phone_number_id": "55501"},
        "x": {"consumer_secret": f"x-secret-{low}", "bearer_token": f"x-bearer-{low}"},
    }  # fmt: skip


@dataclass
class Side:
    """One agency and one of each of its rows (ids kept: rows expire after commits)."""

    tag: str
    key: str  # its channel accounts' key
    agency_id: int = 0
    ids: dict[str, int] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)
    ticket_version: int = 0
    officers: dict[str, Officer] = field(default_factory=dict)  # signed in as, by role
    answer: str = ""  # the status page's answer for its ticket
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    api_secret: str = ""  # its API token's secret (every scope), for ``Authorization: Bearer``

    def strings(self) -> list[str]:
        """What only this agency's pages may show."""
        return [self.tag, self.tag.lower(), *self.references, self.api_secret] + [
            value for settings in self.secrets.values() for value in settings.values()
            if "secret" in value or "token" in value
        ]  # fmt: skip


def seed(tag: str, state: str, phone: str) -> Side:
    side = Side(tag=tag, key=tag.lower(), secrets=channel_secrets(tag))
    agency = gen_agency(code=tag[:3].upper(), state=state)
    agency.name = f"Majlis {tag}"
    side.agency_id = agency.id
    hq = gen_unit(agency, state=state, code=f"{tag[:2].upper()}HQ", name=f"Ibu Pejabat {tag}")
    branch = gen_unit(agency, state=state, parent=hq, name=f"Cawangan {tag}")
    agency.triage_unit_id = hq.id
    for role in agency_roles():  # the platform administrator is above the agencies' wall
        side.officers[role.value] = gen_officer(
            agency, units=[hq], roles=(role.value,), name=f"Pegawai {tag} {role.value}",
            username=f"{side.key}-{role.value}",
        )  # fmt: skip
    spare = gen_officer(
        agency, units=[branch], name=f"Pegawai Ganti {tag}", username=f"{side.key}-spare"
    )
    admin = side.officers["admin"]
    category = gen_category(agency)
    category.name_ms = category.name_en = f"Kategori {tag}"
    profile = SlaProfile(agency_id=agency.id, name=f"Profil {tag}")
    rule = RoutingRule(agency_id=agency.id, name=f"Peraturan {tag}", conditions={"keywords": [tag]},
                       actions={"unit_id": branch.id})  # fmt: skip
    canned = CannedResponse(agency_id=agency.id, title=f"Jawapan {tag}", body=f"Terima kasih {tag}")
    closure = OfficeClosure(
        agency_id=agency.id, day=dt.date(2026, 6, 1 if tag == "Zirkon" else 2), state_code=state,
        name=f"Penutupan {tag}", created_by_id=admin.id,
    )  # fmt: skip
    # A national override per side, so that the matrix has one to try that is not B's "own";
    # neither is an agency's (the platform made them), and every admin reads them: no tag.
    national = HolidayOverride(day=dt.date(2026, 6, 4 if tag == "Zirkon" else 5), state_code=None,
                               name="Cuti peristiwa", is_holiday=True)  # fmt: skip
    subscription = WebhookSubscription(
        agency_id=agency.id, url=f"https://hooks.{side.key}.example/aduan",
        description=f"Langganan {tag}", events=["ticket.created"], secret=seal(new_secret()),
        created_by_id=admin.id,
    )  # fmt: skip
    db.session.add_all([profile, rule, canned, closure, national, subscription])
    token, side.api_secret = tokens.create(
        admin, MultiDict([("name", f"Token {tag}"), *(("scopes", s) for s in SCOPES)])
    )
    db.session.flush()
    roster = RosterPattern(unit_id=hq.id, officer_id=side.officers["officer"].id, weekday=0)
    leave = RosterException(unit_id=hq.id, officer_id=side.officers["officer"].id,
                            day=dt.date(2026, 6, 3), kind="leave")  # fmt: skip
    accounts = {
        channel: save_account(agency, channel, settings, key=side.key)
        for channel, settings in side.secrets.items()
    }
    plain = save_account(agency, "web", {}, key=f"{side.key}-web")  # an account with no secrets
    quarantined = InboundEvent(channel="telegram", account_key=side.key, provider_id=f"{tag}-q1",
                               payload={"text": f"Mesej {tag}"}, quarantined_at=NOW, attempts=5,
                               error=f"Ralat {tag}")  # fmt: skip
    complainant = gen_complainant(agency, phone=phone, name=f"Pengadu {tag}")
    ticket = gen_ticket(
        agency,
        hq,
        subject=f"Aduan {tag}",
        description=f"Longkang {tag} tersumbat",
        complainant=complainant,
        category=category,
        filer_name=f"Pengadu {tag}",
    )
    side.answer = citizen_status.contact_hint("phone", phone)
    citizen_status.set_contact_check(ticket, side.answer)
    message = Message(ticket_id=ticket.id, direction="in", channel="sms", sender=phone,
                      body=f"Mesej {tag} dari pengadu")  # fmt: skip
    note = Message(ticket_id=ticket.id, direction="note", channel="internal", author_id=admin.id,
                   body=f"Nota dalaman {tag}")  # fmt: skip
    db.session.add_all([roster, leave, quarantined, message, note])
    db.session.flush()
    attachment = Attachment(
        ticket_id=ticket.id,
        message_id=message.id,
        sha256=save_bytes(f"bait {tag}".encode()),
        filename=f"gambar-{side.key}.txt",
        content_type="text/plain",
        size=10,
    )
    notice = Notification(
        officer_id=side.officers["officer"].id,
        kind="assigned",
        ticket_id=ticket.id,
        title_ms=f"Notis {tag}",
        title_en=f"Notice {tag}",
    )
    audit = AdminAuditLog(
        agency_id=agency.id,
        actor_id=admin.id,
        entity="unit",
        entity_id=hq.id,
        action="update",
        before={"name": f"Lama {tag}"},
        after={"name": hq.name},
    )
    view = SavedView(
        officer_id=side.officers["officer"].id, name=f"Pandangan {tag}", query=f"q={tag}"
    )
    device = OfficerSession(agency_id=agency.id, officer_id=side.officers["officer"].id,
                            key_hash=f"{side.key}-device".ljust(64, "0"),
                            user_agent=f"Pelayar {tag}")  # fmt: skip
    export = Export(agency_id=agency.id, officer_id=side.officers["officer"].id, kind="queue",
                    format="csv", params={"queue": "unit"}, state="queued")  # fmt: skip
    db.session.add_all([attachment, notice, audit, view, device, export])
    db.session.flush()
    side.references = [ticket.reference]
    side.ticket_version = ticket.version
    side.ids = {
        "unit": hq.id, "branch": branch.id, "officer": spare.id, "category": category.id,
        "profile": profile.id, "rule": rule.id, "canned": canned.id, "closure": closure.id,
        "national": national.id, "subscription": subscription.id, "token": token.id,
        "exception": leave.id, "account": accounts["telegram"].id, "plain_account": plain.id,
        "event": quarantined.id, "ticket": ticket.id, "attachment": attachment.id,
        "notification": notice.id, "officer_on_roster": side.officers["officer"].id,
        "view": view.id,
        "device": device.id,
        "export": export.id,
    }  # fmt: skip
    side.ids.update(quality_rows(agency, tag, side.officers["complaint_manager"], ticket))
    return side


def two_agencies() -> tuple[Side, Side]:
    """A (the first, hence the deployment's default agency) and B, committed."""
    a = seed("Zirkon", "10", "+60123450001")
    b = seed("Kuarza", "02", "+60123450002")
    db.session.commit()
    return a, b


def snapshot(agency_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of the agency, model by model, read through the tenancy rule, and every row of
    the national calendar (no agency's, but every agency's deadlines read it: another agency
    may not change it either); the system's bookkeeping and undeclared models left out."""
    db.session.expire_all()
    rows: dict[str, list[dict[str, Any]]] = {}
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        try:
            kind = tenancy.declaration(model)
        except tenancy.UndeclaredTenant:
            continue  # BotConversation: the walker's known gap, keyed by no account
        if kind == tenancy.SYSTEM:
            continue
        query = tenancy.scoped(select(model), model, agency_id)  # national: every row
        columns = [c.key for c in mapper.column_attrs]
        found = db.session.scalars(query).all()
        rows[model.__name__] = sorted(
            ({c: getattr(row, c) for c in columns} for row in found), key=repr
        )
    links = db.session.execute(
        select(officer_units).where(officer_units.c.officer_id.in_(_officers(agency_id)))
    )
    rows["officer_units"] = sorted(map(tuple, links))
    return rows


def _officers(agency_id: int):
    return select(Officer.id).where(Officer.agency_id == agency_id)
