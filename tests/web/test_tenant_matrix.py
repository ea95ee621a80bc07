"""The agency wall, route by route (issue #11): agency B's admin and officers of every role
can read, create, change or disable nothing of agency A's.

The routes are read from ``app.url_map``, and every endpoint must be classified in ``ROUTES``
(and every id-like URL argument named in ``ARGS``): a new route fails
``test_every_route_is_classified`` until someone says which of these tests covers it.

- ``SCOPED``: a URL naming an object. Requested by each role of B with A's ids (and, with two
  arguments, with each mix of A's and B's) by every method the rule takes, with a valid CSRF
  token and the JSON headers: 404, or 403 where the role is refused; never A's data. Under
  ``/api/v1`` also with B's API token (every scope): 404, as problem+json. The national
  calendar's routes are the platform administrator's: 403 to every role of B, whatever the id
  (its rows are no agency's, and stay unchanged as A's do).
  Then with B's own ids and a body naming A's objects (units, officers, categories, tickets):
  nothing of B may come to point at A.
- ``LIST``: a page without ids; B's pages (and searches for A's reference) show none of A's
  names, references or secrets.
- ``CREATE``: a form or JSON write without ids, posted by B naming A's objects (``CREATES``).
- ``PUBLIC``: the citizen pages, with A's reference and B's answers, codes and session; B's own
  pages (``/a/<B's code>/…``) and B's token's status call even with A's correct answer.
- ``WEBHOOK``: A's account key signed with B's secrets: 403, nothing stored.
- ``AUTH``, ``STATIC``: sign-in, language, health, files; they name no agency's object.

After each attack A's rows, read through the tenancy rule for every model, and the national
calendar's rows are unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
from pathlib import Path

from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from aduan.extensions import db
from aduan.models import (
    Category,
    InboundEvent,
    Message,
    Officer,
    Ticket,
    Unit,
    VerificationCode,
    officer_units,
)
from aduan.models.routing import RoutingRule
from aduan.services import tenancy
from aduan.services.citizen import status as citizen_status
from channels.registry import webhooks as declared_webhooks
from tests.builders import login
from tests.web.inbox.conftest import FreshClient
from tests.web.tenant_world import NOW, Side, snapshot, two_agencies

SCOPED, LIST, CREATE, PUBLIC, WEBHOOK, AUTH, STATIC = (
    "scoped", "list", "create", "public", "webhook", "auth", "static",
)  # fmt: skip

ROUTES: dict[str, set[str]] = {
    "admin.index": {LIST}, "admin.agency": {LIST, CREATE}, "admin.audit_log": {LIST},
    "admin.audit_export": {CREATE},
    "admin.agency_logo_page": {LIST},  # an image for the admin's own agency: names no object
    "public.agency_logo": {PUBLIC},
    "admin.canned_responses": {LIST}, "admin.canned_response_new": {LIST, CREATE},
    "admin.canned_response_edit": {SCOPED}, "admin.canned_response_delete": {SCOPED},
    "admin.categories": {LIST}, "admin.category_new": {LIST, CREATE},
    "admin.category_edit": {SCOPED}, "admin.channels": {LIST},
    "admin.channel_new": {LIST, CREATE}, "admin.channel_edit": {SCOPED},
    "admin.channel_test": {SCOPED},
    "admin.holidays": {LIST}, "admin.holiday_new": {LIST, CREATE},
    "admin.holiday_edit": {SCOPED}, "admin.holiday_delete": {SCOPED},
    "admin.national_holiday_new": {LIST, CREATE}, "admin.national_holiday_edit": {SCOPED},
    "admin.national_holiday_delete": {SCOPED},
    "admin.webhooks": {LIST, CREATE}, "admin.webhook_disable": {SCOPED},
    "admin.webhook_enable": {SCOPED}, "admin.webhook_delete": {SCOPED},
    "admin.api_tokens": {LIST}, "admin.api_token_create": {CREATE},
    "admin.api_token_revoke": {SCOPED}, "admin.api_token_rotate": {SCOPED},
    "admin.officers": {LIST}, "admin.officer_new": {LIST, CREATE},
    "admin.officer_edit": {SCOPED}, "admin.quarantined": {LIST},
    "admin.quarantine_retry": {SCOPED}, "admin.roster": {LIST}, "admin.roster_unit": {SCOPED},
    "admin.roster_exception_add": {SCOPED}, "admin.roster_exception_delete": {SCOPED},
    "admin.routing_rules": {LIST}, "admin.routing_rule_new": {LIST, CREATE},
    "admin.routing_rule_edit": {SCOPED}, "admin.routing_rule_delete": {SCOPED},
    "admin.sla_profiles": {LIST}, "admin.sla_profile_new": {LIST, CREATE},
    "admin.sla_profile_edit": {SCOPED}, "admin.units": {LIST}, "admin.unit_new": {LIST, CREATE},
    "admin.unit_edit": {SCOPED},
    "admin_intake.channel_accounts": {LIST}, "admin_intake.create_channel_account": {CREATE},
    "admin_intake.channel_account": {SCOPED}, "admin_intake.update_channel_account": {SCOPED},
    "admin_intake.quarantined_events": {LIST}, "admin_intake.retry_event": {SCOPED},
    "api_routing.list_rules": {LIST}, "api_routing.create_rule": {CREATE},
    "api_routing.get_rule": {SCOPED}, "api_routing.update_rule": {SCOPED},
    "api_routing.delete_rule": {SCOPED},
    "api_v1.list_tickets": {LIST}, "api_v1.create_ticket": {CREATE},
    "api_v1.get_ticket": {SCOPED}, "api_v1.reply": {SCOPED}, "api_v1.note": {SCOPED},
    "api_v1.change_status": {SCOPED}, "api_v1.assign": {SCOPED}, "api_v1.transfer": {SCOPED},
    "api_v1.merge": {SCOPED}, "api_v1.categories": {LIST}, "api_v1.units": {LIST},
    "api_v1.officers": {LIST}, "api_v1.file_complaint": {CREATE},
    "api_v1.check_status": {PUBLIC}, "api_v1.classify": {SCOPED}, "api_v1.extend": {SCOPED},
    "api_v1.unmerge": {SCOPED}, "api_v1.list_attachments": {SCOPED},
    "api_v1.download_attachment": {SCOPED}, "api_v1.upload_attachment": {SCOPED},
    # the status page's actions: reference and answer, as /citizen/status (PUBLIC tests)
    "api_v1.citizen_reply": {PUBLIC}, "api_v1.citizen_survey": {PUBLIC},
    "api_v1.citizen_status_code": {PUBLIC},
    "api_v1.openapi_document": {STATIC, LIST}, "api_v1.docs_page": {STATIC, LIST},
    # Open311 GeoReport (tests/web/open311: both jurisdictions in every test): public reads
    # in the citizen's view; a filing needs the jurisdiction's own api_key.
    "open311.discovery": {STATIC},
    "open311.services": {PUBLIC}, "open311.service_definition": {SCOPED},
    "open311.create_request": {CREATE}, "open311.list_requests": {PUBLIC},
    "open311.get_request": {SCOPED}, "open311.get_token": {PUBLIC},
    "inbox.inbox": {LIST}, "inbox.inbox_live": {LIST}, "inbox.attachment": {SCOPED},
    "inbox.ticket_page": {SCOPED},
    "inbox.ticket_assign": {SCOPED}, "inbox.ticket_classify": {SCOPED},
    "inbox.ticket_extend": {SCOPED}, "inbox.ticket_merge": {SCOPED},
    "inbox.ticket_note": {SCOPED}, "inbox.ticket_reply": {SCOPED},
    "inbox.ticket_status": {SCOPED}, "inbox.ticket_transfer": {SCOPED},
    "inbox.ticket_unmerge": {SCOPED}, "inbox.ticket_refer": {SCOPED},
    "inbox.ticket_refer_outside": {SCOPED},
    "inbox_actions.bulk_action": {LIST, CREATE}, "inbox_actions.new_entry": {LIST, CREATE},
    "inbox_actions.notifications": {LIST}, "inbox_actions.notifications_count": {LIST},
    "inbox_actions.notification_read": {SCOPED},
    "inbox_actions.notifications_read_all": {CREATE},
    "inbox_actions.notification_preferences": {LIST, CREATE},
    "inbox_actions.saved_view_new": {CREATE}, "inbox_actions.saved_view_delete": {SCOPED},
    "public.new_complaint": {PUBLIC}, "public.submit_complaint": {PUBLIC},
    "public.lookup": {PUBLIC}, "public.check": {PUBLIC}, "public.status": {PUBLIC},
    "public.reply": {PUBLIC}, "public.object_to_resolution": {PUBLIC},
    "public.rate": {PUBLIC}, "public.sign_out": {PUBLIC}, "public.send_code": {PUBLIC},
    "public.client_charter": {PUBLIC}, "public.landing": {PUBLIC},
    "webhooks.declared": {WEBHOOK}, "webhooks.meta": {WEBHOOK}, "webhooks.telegram": {WEBHOOK},
    "webhooks.twilio_sms": {WEBHOOK}, "webhooks.twilio_status": {WEBHOOK},
    "webhooks.twilio_voice": {WEBHOOK}, "webhooks.twilio_voice_recording": {WEBHOOK},
    "webhooks.twilio_whatsapp": {WEBHOOK}, "webhooks.x": {WEBHOOK},
    "auth.login": {AUTH}, "auth.logout": {AUTH}, "auth.logout_everywhere": {AUTH},
    "auth.second_factor": {AUTH}, "auth.reset_request": {AUTH}, "auth.reset_password": {AUTH},
    # One's own account: names no agency's object but the officer's own devices (by id).
    "account.overview": {LIST}, "account.change_password": {AUTH},
    "account.two_factor_setup": {AUTH}, "account.recovery_codes": {AUTH},
    "account.two_factor_disable": {AUTH}, "account.revoke_device": {SCOPED},
    "language.switch": {AUTH}, "language.switch_link": {AUTH},
    "exports.index": {LIST}, "exports.queue_export": {CREATE}, "exports.bpa": {LIST, CREATE},
    "exports.progress_page": {SCOPED}, "exports.progress_fragment": {SCOPED},
    "exports.download": {SCOPED},
    "health.healthz": {STATIC}, "static": {STATIC},
    "quality.service_points_page": {LIST}, "quality.service_point_new": {LIST, CREATE},
    "quality.service_point_edit": {SCOPED}, "quality.service_point_poster": {SCOPED},
    "quality.service_point_poster_pdf": {SCOPED}, "quality.service_point_kiosk": {SCOPED},
    "quality.ratings_page": {LIST}, "quality.rating_to_ticket": {SCOPED},
    "public.rate_point": {PUBLIC}, "public.rate_point_kiosk": {PUBLIC},
    "quality.checklists_page": {LIST}, "quality.checklist_new": {LIST, CREATE},
    "quality.checklist_edit": {SCOPED}, "quality.exercises_page": {LIST},
    "quality.exercise_new": {LIST, CREATE}, "quality.exercise_page": {SCOPED},
    "quality.exercise_shopper": {SCOPED}, "quality.exercise_findings": {SCOPED},
    "quality.exercise_action": {SCOPED}, "quality.action_done": {SCOPED},
    "public.shopper_form": {PUBLIC}, "public.shopper_submit": {PUBLIC},
    "public.shopper_worker": {PUBLIC},
    "quality.studies_page": {LIST}, "quality.study_new": {LIST, CREATE},
    "quality.study_page": {SCOPED}, "quality.study_send": {SCOPED},
    "public.study_form": {PUBLIC}, "quality.figures_page": {LIST},
    "reports.dashboard_page": {LIST}, "reports.export": {LIST}, "reports.monthly_pdf": {LIST},
}  # fmt: skip

# An id-like URL argument → the keys of ``Side.ids`` it may name (the first is B's own), or
# ``"reference"`` for a ticket reference.
ARGS: dict[str, list[str]] = {
    "response_id": ["canned"], "category_id": ["category"], "closure_id": ["closure"],
    "override_id": ["national"], "subscription_id": ["subscription"], "token_id": ["token"],
    "account_id": ["account", "plain_account"], "officer_id": ["officer"], "event_id": ["event"],
    "unit_id": ["unit", "branch"], "exception_id": ["exception"], "rule_id": ["rule"],
    "profile_id": ["profile"], "attachment_id": ["attachment"],
    "notification_id": ["notification"], "reference": ["reference"], "view_id": ["view"],
    "export_id": ["export"],
    "service_code": ["category"],
    "point_id": ["service_point"], "rating_id": ["rating"], "checklist_id": ["checklist"],
    "exercise_id": ["exercise"], "action_id": ["action"], "study_id": ["study"],
    "session_id": ["device"],
}  # fmt: skip
# Arguments that name no agency's object: the value used where a page needs one.
# ``agency_code``: the agency a public page speaks for (``/a/<code>/…``), the PUBLIC tests'.
NOT_IDS = {"channel": "telegram", "code": "ms", "filename": "app.css", "route": "telegram",
           "account_key": "default", "agency_code": "KUA", "fmt": "json",
           "request_token": "00000000-0000-4000-8000-000000000000",
           "point_code": "kaunter-kuarza", "token": "pautan-rahsia"}  # fmt: skip
JSON_PREFIX = "/api/"
API_V1 = "/api/v1/"
PROBLEM = "application/problem+json"
ADMIN_BLUEPRINTS = ("admin.", "admin_intake.", "api_routing.")
# The national calendar: the platform administrator's alone, refused by role (403) to every
# role of an agency before any id is looked at; its rows are no agency's.
PLATFORM_ONLY = {"admin.national_holiday_new", "admin.national_holiday_edit",
                 "admin.national_holiday_delete"}  # fmt: skip
API_TOKEN = "api_token"  # B's API token (every scope), a principal of its own under /api/v1
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _rules(app):
    return [r for r in app.url_map.iter_rules()]


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in _rules(app)}
    unclassified = sorted(endpoints - set(ROUTES))
    assert not unclassified, f"classify these routes in ROUTES: {unclassified}"
    assert not sorted(set(ROUTES) - endpoints), "ROUTES names endpoints that no longer exist"
    for rule in _rules(app):
        kinds = ROUTES[rule.endpoint]
        unknown = sorted(set(rule.arguments) - set(ARGS) - set(NOT_IDS))
        assert not unknown, f"{rule.rule}: say in ARGS which object {unknown} names"
        if set(rule.arguments) & set(ARGS):
            assert SCOPED in kinds, f"{rule.rule} takes an id: classify it SCOPED"
        if SCOPED in kinds:
            assert set(rule.arguments) & set(ARGS), f"{rule.rule} is SCOPED but takes no id"


# --- the attacker's side ---------------------------------------------------------------


def _client(app, officer: Officer) -> tuple[FreshClient, str]:
    client = FreshClient(app, app.response_class, use_cookies=True)
    login(client, officer)
    match = TOKEN.search(client.get("/semak").get_data(as_text=True))
    assert match, "no CSRF token on /semak"
    return client, match.group(1)


class TokenClient:
    """A client that sends the side's API token on every request (and no session)."""

    def __init__(self, app, secret: str):
        self.client = app.test_client()
        self.auth = {"Authorization": f"Bearer {secret}"}

    def open(self, path: str, method: str = "GET", headers: dict | None = None, **kwargs):
        return self.client.open(path, method=method, headers={**(headers or {}), **self.auth},
                                **kwargs)  # fmt: skip

    def get(self, path: str, **kwargs):
        return self.open(path, "GET", **kwargs)

    def post(self, path: str, **kwargs):
        return self.open(path, "POST", **kwargs)


def _clients(app, side: Side):
    """Each role of the side, signed in; and its API token (``API_TOKEN``), for /api/v1."""
    clients = {role: _client(app, officer) for role, officer in side.officers.items()}
    clients[API_TOKEN] = (TokenClient(app, side.api_secret), "")
    return clients


def _reaches(role: str, path: str) -> bool:
    """An API token is only ever a principal under /api/v1 (elsewhere it is no one)."""
    return role != API_TOKEN or path.startswith(API_V1)


def _value(side: Side, name: str):
    return side.references[0] if name == "reference" else side.ids[name]


def _targets(rule, a: Side, b: Side):
    """Every filling of the rule's arguments that names at least one of A's objects."""
    names = [n for n in rule.arguments if n in ARGS]
    options = [[_value(a, k) for k in ARGS[n]] + [_value(b, ARGS[n][0])] for n in names]
    own = tuple(_value(b, ARGS[n][0]) for n in names)
    for values in itertools.product(*options):
        if values != own:
            yield dict(zip(names, values, strict=True))


def _path(rule, values: dict) -> str:
    filled = {n: values.get(n, _not_id(rule, n)) for n in rule.arguments}
    return rule.build(filled, append_unknown=False)[1]


def _not_id(rule, name: str):
    """NOT_IDS' value, or the first one an ``any(…)`` argument accepts (``fmt``: json, csv)."""
    items = getattr(rule._converters.get(name), "items", None)
    value = NOT_IDS.get(name)
    return value if not items or value in items else sorted(items)[0]


def _form(refs: Side, version: int) -> dict:
    """A body for any form, every reference field naming ``refs``'s objects."""
    return {
        "name": "Diubah", "code": "UBAH", "title": "Diubah", "body": "Diubah", "note": "Diubah",
        "name_ms": "Diubah", "name_en": "Changed", "state_code": "10", "username": "diubah",
        "email": "diubah@contoh.test", "roles": "officer", "locale": "ms", "active": "1",
        "is_holiday": "1", "day": "2026-07-01", "kind": "leave", "language": "ms",
        "acknowledge_days": "1", "first_response_days": "2", "resolve_days": "3",
        "resolve_days_complex": "4", "warn_days_before": "1", "position": "1",
        "account_key": "diubah", "status": "ditutup", "reason": "Diubah",
        "new_date": "2026-12-31", "type": "aduan", "complexity": "biasa", "version": version,
        "url": "https://hooks.diubah.example/aduan", "events": "ticket.created",
        "scopes": "read", "to_name": "Diubah",
        # no ``to_agency_id``: a referral hands the ticket to the agency named, by design
        # (tests/web/inbox/test_referral*); here B names A's objects, it does not refer.
        "unit_id": refs.ids["branch"], "officer_id": refs.ids["officer_on_roster"],
        "category_id": refs.ids["category"], "duplicate": refs.references[0],
        "parent_id": refs.ids["unit"], "head_officer_id": refs.ids["officer"],
        "unit_ids": refs.ids["unit"], "default_unit_id": refs.ids["unit"],
        "sla_profile_id": refs.ids["profile"], "act_unit_id": refs.ids["unit"],
        "act_category_id": refs.ids["category"], "triage_unit_id": refs.ids["unit"],
        "assignee_id": refs.ids["officer_on_roster"], "tickets": refs.references[0],
        "references": refs.references[0], "action": "assign",
        "checklist_id": refs.ids["checklist"], "service_point_ids": refs.ids["service_point"],
        "owner_id": refs.ids["officer_on_roster"], "service_point_id": refs.ids["service_point"],
        "starts_on": "2026-07-01", "ends_on": "2026-07-31", "objective": "Diubah",
        "description": "Diubah", "due_on": "2026-08-01", "shopper_name": "Diubah",
        "year": "2026", "sample_size": "5",
        f"p_{refs.ids['officer_on_roster']}_1": "1",
    }  # fmt: skip


def _json(refs: Side) -> dict:
    return {
        "name": "Diubah", "position": 1, "active": False, "channel": "telegram",
        "account_key": "diubah", "conditions": {"categories": []},
        "actions": {"unit_id": refs.ids["unit"], "category_id": refs.ids["category"]},
    }  # fmt: skip


def _api_json(endpoint: str, refs: Side, version: int) -> dict:
    """A body ``/api/v1``'s strict schemas take (so the call reaches its lookup), every
    reference naming ``refs``'s objects."""
    ids, references = refs.ids, refs.references
    bodies = {
        "api_v1.reply": lambda: {"body": "Diubah"}, "api_v1.note": lambda: {"body": "Diubah"},
        "api_v1.change_status": lambda: {"status": "ditutup", "reason": "Diubah",
                                         "version": version},
        "api_v1.assign": lambda: {"officer_id": ids["officer_on_roster"], "version": version},
        "api_v1.transfer": lambda: {"unit_id": ids["branch"], "note": "Diubah",
                                    "version": version},
        "api_v1.merge": lambda: {"duplicate": references[0], "version": version},
        "api_v1.create_ticket": lambda: {"description": "Diubah", "subject": "Diubah"},
        "api_v1.classify": lambda: {"category_id": ids["category"], "version": version},
        "api_v1.extend": lambda: {"reason": "Diubah", "new_date": "2099-01-05",
                                  "version": version},
        "api_v1.unmerge": lambda: {"version": version},
        "api_v1.file_complaint": lambda: {"description": "Longkang tersumbat lagi",
                                          "state_code": "10", "category_id": ids["category"]},
    }  # fmt: skip
    return bodies[endpoint]() if endpoint in bodies else {}


def _send(client, token: str, method: str, path: str, refs: Side, version: int, endpoint=""):
    headers = {"X-CSRFToken": token, "X-Requested-With": "XMLHttpRequest"}
    if method == "GET":
        return client.get(path)
    if path.startswith(API_V1):
        body = _api_json(endpoint, refs, version)
        return client.open(path, method=method, json=body, headers=headers)
    if path.startswith(JSON_PREFIX):
        return client.open(path, method=method, json=_json(refs), headers=headers)
    data = {**_form(refs, version), "csrf_token": token}
    return client.open(path, method=method, data=data, headers=headers)


def _leaks(response, victim: Side) -> list[str]:
    body = response.get_data().decode("utf-8", "replace")  # a PDF report is bytes
    return [s for s in victim.strings() if s in body]


def cross_references(of: int, to: int) -> list[str]:
    """Rows of agency ``of`` that point at a row of agency ``to`` (foreign keys, the routing
    rules' actions, officers' units): each is a write that crossed the wall."""
    found = []
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        try:
            if tenancy.declaration(model) in (tenancy.SYSTEM, tenancy.NATIONAL):
                continue
        except tenancy.UndeclaredTenant:
            continue
        for column in model.__table__.columns:
            for key in column.foreign_keys:
                parent = tenancy.parent_model(model, column.name)
                if tenancy.declaration(parent) in (tenancy.SYSTEM, tenancy.NATIONAL):
                    continue
                theirs = select(parent.id).where(tenancy.condition(parent, to))
                query = (
                    select(func.count())
                    .select_from(model)
                    .where(tenancy.condition(model, of), getattr(model, column.key).in_(theirs))
                )
                if db.session.scalar(query):
                    found.append(f"{model.__name__}.{column.name} → {key.column.table.name}")
    for rule in db.session.scalars(select(RoutingRule).where(RoutingRule.agency_id == of)):
        for name, model in (("unit_id", Unit), ("category_id", Category)):
            target = (rule.actions or {}).get(name)
            owner = db.session.scalar(select(model.agency_id).where(model.id == int(target or 0)))
            if owner == to:
                found.append(f"RoutingRule.actions.{name}")
    links = (
        select(func.count())
        .select_from(officer_units)
        .join(Officer, Officer.id == officer_units.c.officer_id)
    )
    theirs = select(Unit.id).where(Unit.agency_id == to)
    if db.session.scalar(links.where(Officer.agency_id == of, officer_units.c.unit_id.in_(theirs))):
        found.append("officer_units.unit_id")
    return found


# --- by id -------------------------------------------------------------------------------


def _scoped_rules(app):
    return [r for r in _rules(app) if SCOPED in ROUTES.get(r.endpoint, ())]


def test_agency_b_reaches_no_object_of_agency_a_by_its_id(app_ctx):
    a, b = two_agencies()
    before = snapshot(a.agency_id)
    tried = 0
    for role, (client, token) in _clients(app_ctx, b).items():
        for rule in _scoped_rules(app_ctx):
            for values in _targets(rule, a, b):
                path = _path(rule, values)
                if not _reaches(role, path):
                    continue
                for method in _methods(rule):
                    response = _send(client, token, method, path, a, a.ticket_version,
                                     rule.endpoint)  # fmt: skip
                    tried += 1
                    where = f"{role} {method} {path}"
                    if rule.endpoint in PLATFORM_ONLY:
                        assert response.status_code == 403, (where, response.status_code)
                    elif role == "admin" and rule.endpoint.startswith(ADMIN_BLUEPRINTS):
                        assert response.status_code == 404, where
                    elif role == API_TOKEN:
                        assert response.status_code == 404, (where, response.status_code)
                    else:
                        assert response.status_code in (403, 404), (where, response.status_code)
                    if path.startswith(API_V1):
                        assert response.mimetype == PROBLEM, where
                        # A problem names the path asked (``instance``): answered as for a
                        # reference that is not there, but for what was typed.
                        again = _send(client, token, method, _path(rule, {**values, "reference":
                                      MISSING}), a, a.ticket_version, rule.endpoint)  # fmt: skip
                        response = _as_if_missing(response, again, values["reference"])
                    assert not _leaks(response, a), (where, _leaks(response, a))
    assert tried > 4 * len(_scoped_rules(app_ctx))
    assert snapshot(a.agency_id) == before


def test_agency_b_writing_its_own_objects_cannot_point_them_at_agency_a(app_ctx):
    """B's own URLs, with every reference field of the body naming A's objects."""
    a, b = two_agencies()
    before = snapshot(a.agency_id)
    for role, (client, token) in _clients(app_ctx, b).items():
        for rule in _scoped_rules(app_ctx):
            values = {n: _value(b, ARGS[n][0]) for n in rule.arguments if n in ARGS}
            path = _path(rule, values)
            if not _reaches(role, path):
                continue
            for method in [m for m in _methods(rule) if m not in ("GET", "DELETE")]:
                if rule.endpoint.endswith(("_delete", "_revoke")):
                    continue  # deleting (revoking) B's own row names nothing of A's
                version = db.session.get(Ticket, b.ids["ticket"]).version
                response = _send(client, token, method, path, a, version, rule.endpoint)
                where = f"{role} {method} {path}"
                assert response.status_code < 500, where
                assert response.status_code != 401, where  # the token was heard
                assert not _leaks(response, a), (where, _leaks(response, a))
    assert cross_references(b.agency_id, a.agency_id) == []
    assert snapshot(a.agency_id) == before


# --- lists -------------------------------------------------------------------------------


def _list_paths(app, a: Side) -> list[str]:
    paths = []
    for rule in _rules(app):
        if LIST in ROUTES[rule.endpoint] and "GET" in rule.methods:
            paths.append(_path(rule, {}))
    return sorted(set(paths)) + [
        f"/inbox?category={a.ids['category']}",
        f"/api/v1/tickets?category_id={a.ids['category']}",
        f"/api/v1/tickets?queue=unassigned&category_id={a.ids['category']}",
    ]


def test_agency_b_lists_show_nothing_of_agency_a(app_ctx):
    a, b = two_agencies()
    for role, (client, _token) in _clients(app_ctx, b).items():
        for path in [p for p in _list_paths(app_ctx, a) if _reaches(role, p)]:
            response = client.get(path)
            assert response.status_code < 500, (role, path)
            assert not _leaks(response, a), (role, path, _leaks(response, a))
        for typed in (a.references[0], a.tag):  # the search box repeats what was typed
            for search in ("/inbox?q=", "/api/v1/tickets?queue=unassigned&q="):
                if not _reaches(role, search):
                    continue
                response = client.get(search + typed)
                response = _as_if_missing(response, client.get(search + MISSING), typed)
                assert not _leaks(response, a), (role, search, typed, _leaks(response, a))


def test_the_list_check_sees_an_agencys_own_data(app_ctx):
    """The substring search finds the agency's own rows where they belong (so it can fail)."""
    a, _b = two_agencies()
    clients = _clients(app_ctx, a)
    admin, _ = clients["admin"]
    for path in ("/admin/units", "/admin/canned-responses", "/admin/routing-rules",
                 "/admin/quarantine", "/admin/audit", "/api/admin/routing-rules",
                 "/admin/holidays", "/admin/webhooks", "/admin/api-tokens"):  # fmt: skip
        assert a.tag in admin.get(path).get_data(as_text=True), path
    manager, _ = clients["complaint_manager"]
    assert a.references[0] in manager.get("/inbox").get_data(as_text=True)
    page = manager.get(f"/inbox/tickets/{a.references[0]}")
    assert page.status_code == 200 and _leaks(page, a)
    token, _ = clients[API_TOKEN]  # A's own token is a principal: B's 404s are the wall's
    page = token.get(f"/api/v1/tickets/{a.references[0]}")
    assert page.status_code == 200 and _leaks(page, a)
    listed = token.get(f"/api/v1/tickets?queue=unassigned&q={a.references[0]}")
    assert a.references[0] in listed.get_data(as_text=True)


# --- writes without ids --------------------------------------------------------------------


def _creates(a: Side) -> dict[str, tuple[str, str, dict | None]]:
    """Each CREATE endpoint: the path B posts to and, for JSON, the body (forms: ``_form``)."""
    return {
        "admin.agency": ("POST", "/admin/agency", None),
        "admin.canned_response_new": ("POST", "/admin/canned-responses/new", None),
        "admin.category_new": ("POST", "/admin/categories/new", None),
        "admin.channel_new": ("POST", "/admin/channels/new/telegram", None),
        "admin.holiday_new": ("POST", "/admin/holidays/new", None),
        "admin.national_holiday_new": ("POST", "/admin/national-calendar/new", None),
        "admin.webhooks": ("POST", "/admin/webhooks", None),
        "admin.api_token_create": ("POST", "/admin/api-tokens", None),
        "admin.officer_new": ("POST", "/admin/officers/new", None),
        "admin.routing_rule_new": ("POST", "/admin/routing-rules/new", None),
        "admin.sla_profile_new": ("POST", "/admin/sla-profiles/new", None),
        "admin.unit_new": ("POST", "/admin/units/new", None),
        "admin_intake.create_channel_account": ("POST", "/api/admin/channel-accounts",
                                                {**_json(a), "account_key": a.key}),
        "api_routing.create_rule": ("POST", "/api/admin/routing-rules", _json(a)),
        "api_v1.create_ticket": ("POST", "/api/v1/tickets",
                                 _api_json("api_v1.create_ticket", a, 1)),
        "api_v1.file_complaint": ("POST", "/api/v1/citizen/complaints",
                                  _api_json("api_v1.file_complaint", a, 1)),
        "open311.create_request": ("POST", f"/open311/v2/requests.json?jurisdiction_id="
                                   f"{_code(a)}", None),  # A's jurisdiction, B's session
        "inbox_actions.bulk_action": ("POST", "/inbox/bulk", None),
        "inbox_actions.new_entry": ("POST", "/inbox/new", None),
        "inbox_actions.notifications_read_all": ("POST", "/inbox/notifications/read-all", None),
        "quality.service_point_new": ("POST", "/kualiti/titik/baru", None),
        "quality.checklist_new": ("POST", "/kualiti/senarai-semak/baru", None),
        "quality.exercise_new": ("POST", "/kualiti/latihan/baru", None),
        "quality.study_new": ("POST", "/kualiti/kajian/baru", None),
        "inbox_actions.notification_preferences": ("POST", "/inbox/notifications/preferences",
                                                   None),
        "inbox_actions.saved_view_new": ("POST", "/inbox/views", None),
        "exports.queue_export": ("POST", "/exports/queue", None),
        "exports.bpa": ("POST", "/exports/bpa", None),
        "admin.audit_export": ("POST", "/admin/audit/export", None),
    }  # fmt: skip


ECHOES = {"inbox_actions.bulk_action"}  # pages that repeat the references typed into them
MISSING = "ADU-2026-ZZZZZZ"


def _as_if_missing(response, again, typed: str):
    """``again`` asked the same naming ``MISSING`` instead of ``typed`` (A's reference or
    tag, which the page repeats): both answers must be the same but for what was typed.
    Returns ``response`` with what was typed blanked out, for the leak check."""
    assert again.status_code == response.status_code
    first, second = response.get_data(as_text=True), again.get_data(as_text=True)
    first, second = first.replace(typed, ""), second.replace(MISSING, "")
    first, second = TOKEN.sub("", first), TOKEN.sub("", second)  # tokens carry a timestamp
    assert first == second
    response.set_data(first)
    return response


def test_every_create_route_is_probed(app):
    creates = {e for e, kinds in ROUTES.items() if CREATE in kinds}
    assert creates == set(_creates(Side("x", "x", ids={"unit": 1, "category": 1})))


def test_agency_b_creating_cannot_name_or_change_agency_a(app_ctx):
    a, b = two_agencies()
    before = snapshot(a.agency_id)
    for role, (client, token) in _clients(app_ctx, b).items():
        for endpoint, (method, path, body) in _creates(a).items():
            if not _reaches(role, path):
                continue
            headers = {"X-CSRFToken": token, "X-Requested-With": "XMLHttpRequest"}
            if body is not None:
                response = client.open(path, method=method, json=body, headers=headers)
            else:
                data = {**_form(a, a.ticket_version), "csrf_token": token}
                data["action"] = "close" if endpoint.endswith("bulk_action") else data["action"]
                response = client.open(path, method=method, data=data, headers=headers)
            where = f"{role} {endpoint}"
            assert response.status_code < 500, where
            assert response.status_code != 401, where  # the token was heard
            if endpoint in ECHOES:  # B typed A's reference: answered as for one that is not
                again = client.post(path, data={**data, "tickets": MISSING, "references": MISSING})
                response = _as_if_missing(response, again, a.references[0])
            assert not _leaks(response, a), (where, _leaks(response, a))
    assert cross_references(b.agency_id, a.agency_id) == []
    assert snapshot(a.agency_id) == before


# --- webhooks ------------------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels"


def _twilio(channel: str, fixture: str):
    def sign(path: str, secrets: dict) -> dict:
        form = json.loads((FIXTURES / fixture).read_text("utf-8"))
        token = secrets[channel]["auth_token"]
        signature = RequestValidator(token).compute_signature(BASE_URL + path, form)
        return {"data": form, "headers": {"X-Twilio-Signature": signature}}

    return sign


def _hmac(header: str, channel: str, setting: str, fixture: str, encode):
    def sign(path: str, secrets: dict) -> dict:
        body = (FIXTURES / fixture).read_bytes()
        digest = hmac.new(secrets[channel][setting].encode(), body, hashlib.sha256).digest()
        headers = {header: "sha256=" + encode(digest), "Content-Type": "application/json"}
        return {"data": body, "headers": headers}

    return sign


def _telegram(path: str, secrets: dict) -> dict:
    body = (FIXTURES / "telegram/text_malay.json").read_bytes()
    secret = secrets["telegram"]["webhook_secret"]
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
    return {"data": body, "headers": headers}


BASE_URL = "https://aduan.test"
# A manifest's webhook (``Webhook.endpoint``) → how its provider signs a request.
SIGNERS = {
    "sms": _twilio("sms", "sms/long_message.form.json"),
    "twilio_status": _twilio("sms", "sms/status_undelivered.form.json"),
    "whatsapp": _twilio("whatsapp", "sms/long_message.form.json"),
    "voice": _twilio("voice", "sms/long_message.form.json"),
    "telegram": _telegram,
    "meta": _hmac("X-Hub-Signature-256", "whatsapp_cloud", "app_secret",
                  "whatsapp_cloud/batch_two_messages_and_status.json", bytes.hex),
    "x": _hmac("x-twitter-webhooks-signature", "x", "consumer_secret", "x/dm_with_media.json",
               lambda d: base64.b64encode(d).decode()),
}  # fmt: skip


def _webhook_paths(app, key: str) -> list[tuple[str, str]]:
    """(URL with ``key``, manifest endpoint) for every declared webhook; each URL must be
    served by a route classified WEBHOOK."""
    adapter = app.url_map.bind("aduan.test")
    out = []
    for route, hook in declared_webhooks().items():
        url = f"/webhooks{route}/{key}"
        endpoint, _args = adapter.match(url, method="POST")
        assert WEBHOOK in ROUTES[endpoint], url
        out.append((url, hook.endpoint))
    return out


def test_every_webhook_route_has_a_signer(app):
    keyed = {r.rule for r in _rules(app) if WEBHOOK in ROUTES[r.endpoint]}
    served = {f"/webhooks{route}/<account_key>" for route in declared_webhooks()}
    assert keyed - served <= {"/webhooks/<path:route>"} | {r.removesuffix("/<account_key>")
                                                           for r in served}  # fmt: skip
    assert {hook.endpoint for hook in declared_webhooks().values()} <= set(SIGNERS)


def _events() -> int:
    return db.session.scalar(select(func.count(InboundEvent.id)))


def test_agency_as_key_signed_with_agency_bs_secrets_is_refused_and_nothing_stored(app_ctx):
    a, b = two_agencies()
    before, events = snapshot(a.agency_id), _events()
    client = app_ctx.test_client()
    for url, endpoint in _webhook_paths(app_ctx, a.key):
        response = client.post(url, **SIGNERS[endpoint](url, b.secrets))
        assert response.status_code == 403, (url, response.status_code)
        assert not _leaks(response, a)
    challenge = {"hub.mode": "subscribe", "hub.verify_token": b.secrets["whatsapp_cloud"][
        "verify_token"], "hub.challenge": "12345"}  # fmt: skip
    assert client.get(f"/webhooks/meta/{a.key}", query_string=challenge).status_code == 403
    assert _events() == events
    assert snapshot(a.agency_id) == before
    # The same requests signed with A's own secrets are taken: the refusal was the key's.
    for url, endpoint in _webhook_paths(app_ctx, a.key):
        assert client.post(url, **SIGNERS[endpoint](url, a.secrets)).status_code == 200, url
    assert _events() > events


# --- the citizen's pages -------------------------------------------------------------------


def _check(client, reference: str, answer: str = "", code: str = "", at: str = ""):
    """The status page's check, at the national page or at ``at`` (``/a/<code>``)."""
    token = TOKEN.search(client.get(f"{at}/semak").get_data(as_text=True)).group(1)
    data = {"csrf_token": token, "reference": reference, "answer": answer, "code": code}
    return client.post(f"{at}/semak", data=data)


def test_agency_as_reference_opens_with_nothing_of_agency_b(app_ctx):
    a, b = two_agencies()
    b_code = "246810"
    db.session.add(VerificationCode(
        ticket_id=b.ids["ticket"], code_hash=citizen_status._digest(str(b.ids["ticket"]), b_code),
        channel="sms", attempts=0, expires_at=NOW.replace(year=2099),
    ))  # fmt: skip
    db.session.commit()
    before = snapshot(a.agency_id)
    citizen = FreshClient(app_ctx, app_ctx.response_class, use_cookies=True)
    assert _check(citizen, b.references[0], b.answer).status_code == 302  # B's own complainant
    for answer, code in ((b.answer, ""), ("", b_code)):  # B's answer, B's code, B's session
        response = _check(citizen, a.references[0], answer, code)
        missing = _check(citizen, MISSING, answer, code)
        response = _as_if_missing(response, missing, a.references[0])
        assert response.status_code == 200 and not _leaks(response, a)
        page = citizen.get("/semak/status").get_data(as_text=True)
        assert b.references[0] in page and not [s for s in a.strings() if s in page]
    token = TOKEN.search(citizen.get("/semak/status").get_data(as_text=True)).group(1)
    citizen.post("/semak/balas", data={"csrf_token": token, "text": "Balasan", "form_id": "f" * 32})
    assert snapshot(a.agency_id) == before  # B's complainant's reply opened nothing at A
    replies = select(Message.ticket_id).where(Message.body == "Balasan")
    assert db.session.scalars(replies).all() == [b.ids["ticket"]]  # B's officers have it
    # A's own answer does open A's ticket: the refusals above were the wall's.
    assert _check(citizen, a.references[0], a.answer).status_code == 302
    assert a.references[0] in citizen.get("/semak/status").get_data(as_text=True)


def _code(side: Side) -> str:
    return side.tag[:3].upper()  # ``tenant_world.seed``'s agency code


def test_agency_bs_own_pages_and_token_do_not_open_agency_as_ticket_even_with_its_answer(app_ctx):
    """B's status page and B's token find only B's tickets: A's reference with A's correct
    answer is answered as a reference that is not there, and opens nothing."""
    a, b = two_agencies()
    assert _code(b) == NOT_IDS["agency_code"]
    before = snapshot(a.agency_id)
    at = f"/a/{_code(b)}"
    citizen = FreshClient(app_ctx, app_ctx.response_class, use_cookies=True)
    response = _check(citizen, a.references[0], a.answer, at=at)
    missing = _check(citizen, MISSING, a.answer, at=at)
    response = _as_if_missing(response, missing, a.references[0])
    assert response.status_code == 200 and not _leaks(response, a)
    assert not _leaks(citizen.get(f"{at}/semak/status"), a)
    # A's ticket opened on the national page is not shown under B's pages either.
    assert _check(citizen, a.references[0], a.answer).status_code == 302
    assert a.references[0] in citizen.get("/semak/status").get_data(as_text=True)
    assert not _leaks(citizen.get(f"{at}/semak/status"), a)
    # B's token's status call: the same refusal, as problem+json.
    token = TokenClient(app_ctx, b.api_secret)
    actions = {"status": {}, "replies": {"text": "Balasan B"}, "survey": {"rating": 1}}
    for (action, extra), reference in itertools.product(actions.items(), (a.references[0],
                                                                          MISSING)):  # fmt: skip
        body = {"reference": reference, "answer": a.answer, **extra}
        found = token.post(f"/api/v1/citizen/{action}", json=body)
        assert (found.status_code, found.mimetype) == (404, PROBLEM), (action, reference)
        assert not _leaks(found, a)
    assert snapshot(a.agency_id) == before
    # A's own page and A's own token do open it: the refusals above were the wall's.
    mine = FreshClient(app_ctx, app_ctx.response_class, use_cookies=True)
    assert _check(mine, a.references[0], a.answer, at=f"/a/{_code(a)}").status_code == 302
    assert a.references[0] in mine.get(f"/a/{_code(a)}/semak/status").get_data(as_text=True)
    own = TokenClient(app_ctx, a.api_secret).post(
        "/api/v1/citizen/status", json={"reference": a.references[0], "answer": a.answer}
    )
    assert own.status_code == 200 and a.tag in own.get_data(as_text=True)
