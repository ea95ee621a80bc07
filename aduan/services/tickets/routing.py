"""Routing: which unit owns a ticket, by the agency's ordered rules; and moving it later.

A rule matches when every condition it gives holds (any one value within a list). Keywords
match whole words, ignoring case and accents, in the subject and the description; an area
(``aduan.areas``: a polygon or a box) holds the ticket's map point, and a ticket without one
is in no area. No rule matches → the agency's triage unit. Every decision leaves a ``routed``
TicketEvent.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l

from aduan import areas
from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.languages import every_language
from aduan.models import Agency, Category, Officer, Ticket, Unit
from aduan.models.base import utcnow
from aduan.models.routing import RoutingRule
from aduan.services.intake import reference_cache
from aduan.services.outbox.notices import queue_notice
from aduan.services.tickets import deadlines, workflow
from aduan.vocabulary import TicketStatus as S

TRANSFERRED = _l("Complaint %(reference)s has been transferred to %(unit)s.")
REFERRED_OUT = _l(
    "Complaint %(reference)s is outside our jurisdiction and has been referred to %(agency)s."
)
ACTION_FIELDS = ("unit_id", "category_id", "type", "priority_group", "complexity")


def fold(text: str) -> str:
    """Lower case without accents (NFKD, combining marks dropped), for keyword matching."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=1024)
def _keyword_pattern(keyword: str) -> re.Pattern:
    words = [re.escape(w) for w in fold(keyword).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def keyword_matches(keywords: list[str], text: str) -> bool:
    """True if any keyword occurs in ``text`` as a whole word (or whole phrase)."""
    folded = fold(text)
    return any(k.strip() and _keyword_pattern(k.strip()).search(folded) for k in keywords)


class ActiveRule(NamedTuple):
    """What routing reads of a rule, kept per process (``reference_cache``)."""

    id: int
    name: str
    conditions: dict[str, Any]
    actions: dict[str, Any]
    area: Any = None  # the condition's area, prepared once (``areas.prepare_area``)


def rule_matches(rule: RoutingRule | ActiveRule, ticket: Ticket) -> bool:
    """Every condition the rule gives must hold; an empty rule matches everything."""
    cond = rule.conditions or {}
    category = ticket.category or (
        db.session.get(Category, ticket.category_id) if ticket.category_id else None
    )
    checks = {
        "categories": category.code if category else None,
        "types": ticket.type,
        "channels": ticket.origin_channel,
        "states": ticket.state_code,
    }
    for key, value in checks.items():
        if cond.get(key) and value not in cond[key]:
            return False
    if cond.get("area") and not _in_area(rule, ticket):
        return False
    keywords = cond.get("keywords") or []
    text = f"{ticket.subject or ''}\n{ticket.description or ''}"
    return not keywords or keyword_matches(keywords, text)


def _in_area(rule: RoutingRule | ActiveRule, ticket: Ticket) -> bool:
    area = getattr(rule, "area", None)  # an ActiveRule's, prepared when the rules were read
    if area is None:
        area = areas.prepare_area(rule.conditions["area"])
    return area is not None and areas.covers(area, ticket.latitude, ticket.longitude)


def rules_for(agency_id: int) -> list[RoutingRule]:
    """The agency's active rules in evaluation order."""
    query = (
        db.select(RoutingRule)
        .where(RoutingRule.agency_id == agency_id, RoutingRule.active.is_(True))
        .order_by(RoutingRule.position, RoutingRule.id)
    )
    return list(db.session.scalars(query))


def active_rules(agency_id: int) -> list[ActiveRule]:
    """``rules_for`` as plain values, cached per process (an admin's edit clears it)."""

    def load() -> list[ActiveRule]:
        return [
            ActiveRule(
                r.id, r.name, dict(r.conditions or {}), dict(r.actions or {}),
                areas.prepare_area((r.conditions or {}).get("area")),
            )
            for r in rules_for(agency_id)
        ]  # fmt: skip

    return reference_cache.cached(("routing-rules", agency_id), load)


def route(ticket: Ticket, actor: Officer | None = None, *, flush: bool = True) -> ActiveRule | None:
    """Apply the first matching rule (or send to triage) and record why; returns the rule.

    ``flush=False`` leaves the writes pending (intake flushes once, after assignment)."""
    rules = active_rules(ticket.agency_id)
    rule = next((r for r in rules if rule_matches(r, ticket)), None)
    before = _snapshot(ticket)
    if rule is not None:
        _apply_actions(ticket, rule.actions or {})
    else:
        agency = ticket.agency or db.session.get(Agency, ticket.agency_id)
        if agency.triage_unit_id:
            ticket.unit = db.session.get(Unit, agency.triage_unit_id)
    _after_unit_change(ticket, before)
    workflow.record_event(
        ticket,
        "routed",
        actor=actor,
        before=before,
        after=_snapshot(ticket),
        data={"rule_id": rule.id, "rule_name": rule.name}
        if rule
        else {"rule_id": None, "rule_name": None, "fallback": "triage"},
    )
    if flush:
        db.session.flush()
    return rule


def transfer(ticket: Ticket, unit: Unit, actor: Officer | None, note: str | None = None) -> None:
    """Move the ticket to ``unit``; deadlines follow the new unit's state calendar.

    The assignee belonged to the old unit, so the ticket becomes unassigned. ``note`` is kept
    on the timeline and, when given, sent to the complainant.
    """
    if unit.agency_id != ticket.agency_id:
        raise ValidationFailed("a unit of another agency", errors={"unit_id": ["other agency"]})
    before = _snapshot(ticket)
    ticket.unit = unit
    ticket.assignee = None
    _after_unit_change(ticket, before)
    if actor is not None:
        ticket.last_officer_action_at = utcnow()
    workflow.record_event(
        ticket,
        "transferred",
        actor=actor,
        before=before,
        after=_snapshot(ticket),
        data={"note": note} if note else {},
    )
    db.session.flush()
    if note:
        texts = every_language(TRANSFERRED, reference=ticket.reference, unit=unit.name)
        queue_notice(ticket, "transfer", **{k: f"{v} {note}" for k, v in texts.items()})


def transfer_out_of_jurisdiction(
    ticket: Ticket, actor: Officer | None, other_agency_name: str, note: str = ""
) -> None:
    """Close the matter here as Luar Bidang Kuasa and tell the complainant who handles it."""
    reason = f"{other_agency_name}: {note}".strip().rstrip(":")
    workflow.change_status(ticket, S.OUT_OF_JURISDICTION, actor=actor, reason=reason, notify=False)
    workflow.record_event(
        ticket,
        "transferred_out",
        actor=actor,
        data={"other_agency": other_agency_name, "note": note},
    )
    texts = every_language(REFERRED_OUT, reference=ticket.reference, agency=other_agency_name)
    queue_notice(ticket, "transfer", **{k: f"{v} {note}".strip() for k, v in texts.items()})


def _snapshot(ticket: Ticket) -> dict:
    due = ticket.resolve_due_at
    return {
        "unit_id": ticket.unit.id if ticket.unit is not None else ticket.unit_id,
        "category_id": ticket.category.id if ticket.category is not None else ticket.category_id,
        "type": ticket.type,
        "complexity": ticket.complexity,
        "priority_group": ticket.priority_group,
        "resolve_due_at": due.isoformat() if due else None,
    }


def _apply_actions(ticket: Ticket, actions: dict) -> None:
    if actions.get("unit_id"):
        ticket.unit = db.session.get(Unit, actions["unit_id"])
    if actions.get("category_id"):
        ticket.category = db.session.get(Category, actions["category_id"])
    for field in ("type", "priority_group", "complexity"):
        if actions.get(field):
            setattr(ticket, field, actions[field])


def _after_unit_change(ticket: Ticket, before: dict) -> None:
    """Deadlines are recomputed when the owning state, the category or complexity changed."""
    unit_state_before = _state_of_unit(before["unit_id"])
    now_state = ticket.unit.state_code if ticket.unit is not None else None
    changed = (
        unit_state_before != now_state
        or before["complexity"] != ticket.complexity
        or before["category_id"] != (ticket.category.id if ticket.category else None)
    )
    if changed:
        deadlines.recompute(ticket)
        ticket.sla_next_check_at = utcnow()


def _state_of_unit(unit_id: int | None) -> str | None:
    unit = db.session.get(Unit, unit_id) if unit_id else None
    return unit.state_code if unit else None
