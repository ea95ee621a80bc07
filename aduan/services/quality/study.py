"""The yearly customer satisfaction study: a checklist sent to a random sample of the year's
complainants, each on their own channel through the one outbound door, answered on a page
reached by a personal link (a random token, stored hashed); results with the response rate,
by unit and by category.

The sample: the latest ticket of each complainant of the agency received in that year (local
time), reachable on some channel, drawn at random (seeded by the study, so a re-send after a
crash draws the same people); nobody is invited twice to one study.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Agency, Category, Officer, Ticket, Unit
from aduan.models.base import utcnow
from aduan.models.quality import Checklist, Study, StudyInvitation
from aduan.services import tenancy
from aduan.services.admin import common as f
from aduan.services.outbox import door
from aduan.services.quality import checklists
from aduan.services.sla.clock import local_zone

PURPOSE = "quality_study"
ALREADY = _l("You have already answered this study. Thank you!")


def list_for(agency_id: int) -> list[Study]:
    """The agency's studies, newest year first."""
    query = tenancy.scoped(db.select(Study), Study, agency_id)
    return list(db.session.scalars(query.order_by(Study.year.desc(), Study.id.desc())))


def create(officer: Officer, form: Mapping) -> Study:
    """Plan a study: which checklist, which year's complainants, how many (audited)."""
    errors: f.Errors = {}
    checklist = tenancy.get_scoped(Checklist, form.get("checklist_id"), officer.agency_id)
    if checklist is None:
        f.add(errors, "checklist_id", f.BAD_CHOICE)
    year = f.integer(form, "year", errors, minimum=2000)
    size = f.integer(form, "sample_size", errors, minimum=1)
    if size is not None and size > 5000:
        f.add(errors, "sample_size", f.TOO_LONG)
    f.fail_if(errors)
    study = Study(checklist_id=checklist.id, year=year, sample_size=size)
    db.session.add(study)
    db.session.flush()
    f.audit(officer, "quality_study", study.id, "create", None,
            {"year": year, "sample_size": size})  # fmt: skip
    return study


def send(study: Study) -> int:
    """Invite the sample (up to ``sample_size`` in all) and queue each invitation on the
    complainant's channel; returns how many were sent now. Safe to call again."""
    agency = db.session.get(Agency, study.checklist.agency_id)
    invited = set(db.session.scalars(
        db.select(Ticket.complainant_id).join(StudyInvitation,
                                              StudyInvitation.ticket_id == Ticket.id)
        .where(StudyInvitation.study_id == study.id)
    ))  # fmt: skip
    room = study.sample_size - len(invited)
    candidates = [t for t in _latest_tickets(agency, study.year) if t.complainant_id not in invited]
    random.Random(study.id).shuffle(candidates)
    sent = 0
    for ticket in candidates:
        if sent >= room:
            break
        if door.recipient(ticket) is None:
            continue
        token = secrets.token_urlsafe(24)
        db.session.add(StudyInvitation(study_id=study.id, ticket_id=ticket.id,
                                       token_hash=_digest(token), sent_at=utcnow()))  # fmt: skip
        door.queue(ticket, PURPOSE, _invitation_text(agency, study, token))
        sent += 1
    study.sent_at = study.sent_at or utcnow()
    db.session.commit()
    return sent


def _latest_tickets(agency: Agency, year: int) -> list[Ticket]:
    zone = local_zone()
    start = dt.datetime(year, 1, 1, tzinfo=zone)
    end = dt.datetime(year + 1, 1, 1, tzinfo=zone)
    latest = (
        db.select(db.func.max(Ticket.id))
        .where(Ticket.agency_id == agency.id, Ticket.complainant_id.is_not(None),
               Ticket.received_at >= start, Ticket.received_at < end)
        .group_by(Ticket.complainant_id)
    )  # fmt: skip
    query = db.select(Ticket).where(Ticket.id.in_(latest)).order_by(Ticket.id)
    return list(db.session.scalars(query))


def _invitation_text(agency: Agency, study: Study, token: str) -> dict[str, str]:
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    link = f"{base}/a/{agency.code}/kajian/{token}"
    texts = {}
    for language in ("ms", "en"):
        with force_locale(language):
            texts[language] = _(
                "%(agency)s: customer satisfaction study %(year)s. Please tell us how we "
                "served you — a few short questions: %(link)s",
                agency=agency.name, year=study.year, link=link,
            )  # fmt: skip
    return texts


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(token: str, agency_id: int) -> StudyInvitation | None:
    """The invitation of this personal link at this agency (None: not there)."""
    if not token or len(token) > 100:
        return None
    found = db.session.scalar(
        db.select(StudyInvitation).where(StudyInvitation.token_hash == _digest(token))
    )
    if found is None or found.study.checklist.agency_id != agency_id:
        return None
    return found


def answer(invitation: StudyInvitation, form: Mapping) -> None:
    """Store the answers (once; ``ValidationFailed`` on a bad or repeated answer)."""
    if invitation.answered_at is not None:
        raise ValidationFailed("answered before", errors={"_form": [str(ALREADY)]})
    answers, errors = checklists.clean_answers(invitation.study.checklist.items, form)
    if not answers:
        f.add(errors, "_form", f.REQUIRED)
    f.fail_if(errors)
    invitation.answers, invitation.answered_at = answers, utcnow()
    db.session.commit()


@dataclass
class Results:
    sent: int
    answered: int
    rate: float | None  # percent
    by_section: dict[str, float | None]
    by_unit: list[tuple[str, int, float | None]]  # name, answers, mean score
    by_category: list[tuple[str, int, float | None]]


def results(study: Study) -> Results:
    """Response rate and scores (0–100) by section, by the tickets' unit and category."""
    rows = list(db.session.scalars(
        db.select(StudyInvitation).where(StudyInvitation.study_id == study.id)
    ))  # fmt: skip
    sent = [r for r in rows if r.sent_at is not None]
    answered = [r for r in rows if r.answered_at is not None]
    items = study.checklist.items
    sections, units, categories = defaultdict(list), defaultdict(list), defaultdict(list)
    for row in answered:
        scores = [(i["section"], checklists.score(i, row.answers[i["key"]])) for i in items
                  if i["key"] in row.answers]  # fmt: skip
        scores = [(s, v) for s, v in scores if v is not None]
        for section, value in scores:
            sections[section].append(value)
        mean = _mean([v for _s, v in scores])
        if mean is not None:
            units[row.ticket.unit_id].append(mean)
            categories[row.ticket.category_id].append(mean)
    return Results(
        sent=len(sent), answered=len(answered),
        rate=response_rate(len(sent), len(answered)),
        by_section={s: _mean(v) for s, v in sections.items()},
        by_unit=_named(Unit, units, "name"), by_category=_named(Category, categories, "name_ms"),
    )  # fmt: skip


def response_counts(study_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per study: the invitations sent and answered (the reports' figures need no more)."""
    query = (
        db.select(
            StudyInvitation.study_id,
            db.func.count(StudyInvitation.sent_at),
            db.func.count(StudyInvitation.answered_at),
        )
        .where(StudyInvitation.study_id.in_(study_ids))
        .group_by(StudyInvitation.study_id)
    )
    return {row[0]: (int(row[1]), int(row[2])) for row in db.session.execute(query)}


def response_rate(sent: int, answered: int) -> float | None:
    """Answered per sent invitation, in percent (None before any is sent)."""
    return round(100 * answered / sent, 1) if sent else None


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _named(model, groups: dict, attribute: str) -> list[tuple[str, int, float | None]]:
    out = []
    for key, values in groups.items():
        row = db.session.get(model, key) if key is not None else None
        out.append((getattr(row, attribute) if row else "—", len(values), _mean(values)))
    return sorted(out)
