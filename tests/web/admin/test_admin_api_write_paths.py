"""The admin JSON endpoints write through the admin pages' services: same audit rows, same
per-field errors, same scope (two agencies)."""

from __future__ import annotations

import html
import re

from aduan.extensions import db
from aduan.models import ChannelAccount, InboundEvent
from aduan.models.admin import AdminAuditLog
from aduan.models.base import utcnow
from aduan.models.routing import RoutingRule
from aduan.services.admin.routing import form_errors
from aduan.services.channel_config.accounts import save_account
from tests.builders import gen_agency, gen_officer, gen_unit, login
from tests.builders_routing import gen_rule
from tests.web.admin.helpers import post, setup, token

RULES = "/api/admin/routing-rules"
ACCOUNTS = "/api/admin/channel-accounts"
_ERROR = re.compile(r'<p class="field-error" id="([\w-]+)-error">(.*?)</p>')
TOKEN = "tok-secret-1234"


def json_headers(client) -> dict[str, str]:
    """What the admin's script sends: the CSRF token of its page and the AJAX header."""
    return {"X-CSRFToken": token(client, "/admin/"), "X-Requested-With": "XMLHttpRequest"}


def page_errors(response) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, message in _ERROR.findall(response.get_data(as_text=True)):
        errors.setdefault(field, []).append(html.unescape(message))
    return errors


def audits(entity: str) -> list[AdminAuditLog]:
    query = db.select(AdminAuditLog).where(AdminAuditLog.entity == entity)
    return list(db.session.scalars(query.order_by(AdminAuditLog.id)))


def same_row(page: AdminAuditLog, api: AdminAuditLog, ignore=()) -> None:
    def shape(row):
        strip = (lambda d: {k: v for k, v in d.items() if k not in ignore}) if ignore else None
        before = strip(row.before) if strip and row.before else row.before
        after = strip(row.after) if strip and row.after else row.after
        return (row.agency_id, row.actor_id, row.entity, row.action, before, after)

    assert shape(api) == shape(page)


RULE_FORM = {"name": "Lampu", "position": "1", "active": "1", "cond_keywords": "lampu, jalan",
             "cond_types": ["aduan"]}  # fmt: skip
RULE_JSON = {"name": "Lampu", "position": 1, "active": True,
             "conditions": {"keywords": ["lampu", "jalan"], "types": ["aduan"]}}  # fmt: skip


def test_json_create_update_delete_of_a_rule_leave_the_pages_audit_rows(client):
    s = setup(client)
    form = {**RULE_FORM, "act_unit_id": str(s.unit.id)}
    body = {**RULE_JSON, "actions": {"unit_id": s.unit.id}}
    assert post(client, "/admin/routing-rules/new", form).status_code == 303
    created = client.post(RULES, json=body, headers=json_headers(client))
    assert created.status_code == 201, created.json
    page_rule = db.session.scalar(
        db.select(RoutingRule).where(RoutingRule.id != created.json["id"])
    )

    edit = f"/admin/routing-rules/{page_rule.id}"
    assert post(client, edit, {**form, "name": "Lampu padam"}).status_code == 303
    changed = client.put(
        f"{RULES}/{created.json['id']}", json={**body, "name": "Lampu padam"},
        headers=json_headers(client),
    )  # fmt: skip
    assert changed.status_code == 200, changed.json

    assert post(client, f"{edit}/delete", {}, edit).status_code == 303
    gone = client.delete(f"{RULES}/{created.json['id']}", headers=json_headers(client))
    assert gone.status_code == 204

    rows = audits("routing_rule")
    assert [(r.action, r.entity_id) for r in rows] == [
        ("create", page_rule.id), ("create", created.json["id"]),
        ("update", page_rule.id), ("update", created.json["id"]),
        ("delete", page_rule.id), ("delete", created.json["id"]),
    ]  # fmt: skip
    for page_row, api_row in zip(rows[::2], rows[1::2], strict=True):
        same_row(page_row, api_row)
    assert rows[3].before["name"] == "Lampu" and rows[3].after["name"] == "Lampu padam"


def test_an_invalid_json_rule_gets_the_forms_errors_per_field(client):
    setup(client)
    bad_form = {**RULE_FORM, "name": "", "position": "-3", "cond_types": ["nonsense"]}
    page = post(client, "/admin/routing-rules/new", bad_form)
    bad_json = {**RULE_JSON, "name": "", "position": -3, "conditions": {"types": ["nonsense"]}}
    api = client.post(RULES, json=bad_json, headers=json_headers(client))
    assert (page.status_code, api.status_code) == (422, 422)
    assert api.json["code"] == "validation_failed"
    assert set(api.json["errors"]) == {"name", "position", "conditions"}
    assert api.json["errors"]["conditions"] == {"types": ["Pilih salah satu pilihan."]}
    assert form_errors(api.json["errors"]) == page_errors(page)

    foreign = gen_unit(gen_agency())
    db.session.commit()
    page = post(client, "/admin/routing-rules/new", {**RULE_FORM, "act_unit_id": str(foreign.id)})
    body = {**RULE_JSON, "actions": {"unit_id": foreign.id}}
    api = client.post(RULES, json=body, headers=json_headers(client))
    assert api.status_code == 422 and api.json["errors"] == {
        "actions": {"unit_id": ["Pilih salah satu pilihan."]}
    }
    assert form_errors(api.json["errors"]) == page_errors(page)
    assert page_errors(page) == {"act_unit_id": ["Pilih salah satu pilihan."]}
    assert db.session.scalar(db.select(db.func.count()).select_from(RoutingRule)) == 0
    assert audits("routing_rule") == []


def quarantined(account_key: str, provider_id: str) -> InboundEvent:
    event = InboundEvent(
        channel="sms", account_key=account_key, provider_id=provider_id, payload={"x": 1},
        attempts=3, quarantined_at=utcnow(), error="bad",
    )  # fmt: skip
    db.session.add(event)
    db.session.commit()
    return event


def test_a_json_quarantine_retry_leaves_the_pages_audit_row(client):
    s = setup(client)
    save_account(s.agency, "sms", {"account_sid": "AC1"}, key="mine")
    by_page, by_api = quarantined("mine", "SM-page"), quarantined("mine", "SM-api")
    response = post(client, f"/admin/quarantine/{by_page.id}/retry", {}, "/admin/quarantine")
    assert response.status_code == 303
    response = client.post(f"/api/admin/quarantine/{by_api.id}/retry", headers=json_headers(client))
    assert response.status_code == 200 and response.json["enqueued"] is True
    page_row, api_row = audits("inbound_event")
    assert (page_row.entity_id, api_row.entity_id) == (by_page.id, by_api.id)
    same_row(page_row, api_row, ignore=("quarantined_at",))
    assert page_row.before["attempts"] == 3 and page_row.after == {
        "attempts": 0, "quarantined_at": None}  # fmt: skip


ACCOUNT_FORM = {"s_account_sid": "AC1", "s_auth_token": TOKEN, "active": "1"}
ACCOUNT_JSON = {"channel": "sms", "settings": {"account_sid": "AC1", "auth_token": TOKEN},
                "active": True}  # fmt: skip


def test_json_channel_account_writes_leave_the_pages_audit_rows(client):
    setup(client)
    new = "/admin/channels/new/sms"
    assert post(client, new, {**ACCOUNT_FORM, "account_key": "jkr"}).status_code == 303
    created = client.post(
        ACCOUNTS, json={**ACCOUNT_JSON, "account_key": "jkr2"}, headers=json_headers(client)
    )
    assert created.status_code == 201, created.json
    assert created.json["settings"]["auth_token"] == "••••1234" and TOKEN not in created.text
    page_row = db.session.scalar(
        db.select(ChannelAccount).where(ChannelAccount.account_key == "jkr")
    )

    edit = f"/admin/channels/{page_row.id}"
    assert post(client, edit, {"s_account_sid": "AC2", "s_auth_token": ""}).status_code == 303
    changed = client.put(
        f"{ACCOUNTS}/{created.json['id']}", json={"settings": {"account_sid": "AC2"},
        "active": False}, headers=json_headers(client),
    )  # fmt: skip
    assert changed.status_code == 200, changed.json
    assert changed.json["settings"] == {"account_sid": "AC2", "auth_token": "••••1234"}

    rows = audits("channel_account")
    assert [r.action for r in rows] == ["create", "create", "update", "update"]
    for page_audit, api_audit in zip(rows[::2], rows[1::2], strict=True):
        same_row(page_audit, api_audit, ignore=("account_key",))
    assert rows[3].after["changed_settings"] == ["account_sid"] and TOKEN not in str(rows)


def test_an_invalid_json_channel_account_gets_the_forms_errors(client):
    setup(client)
    new = "/admin/channels/new/sms"
    for key in ("Bad Key!", ""):
        page = post(client, new, {**ACCOUNT_FORM, "account_key": key})
        api = client.post(
            ACCOUNTS, json={**ACCOUNT_JSON, "account_key": key}, headers=json_headers(client)
        )
        assert (page.status_code, api.status_code) == (422, 422)
        assert api.json["errors"] == page_errors(page) and set(api.json["errors"]) == {
            "account_key"}  # fmt: skip
    odd = {**ACCOUNT_JSON, "account_key": "ok", "settings": {"colour": "red"}}
    api = client.post(ACCOUNTS, json=odd, headers=json_headers(client))
    assert api.status_code == 422 and "colour" in api.json["errors"]["settings"][0]
    assert audits("channel_account") == []


def test_agency_b_admin_cannot_touch_agency_a_rows_through_json(client):
    a = setup(client)
    rule = gen_rule(a.agency, 1, name="A's rule")
    account = save_account(a.agency, "sms", {"account_sid": "AC-A"}, key="agency-a")
    event = quarantined("agency-a", "SM-a")
    agency_b = gen_agency()
    admin_b = gen_officer(agency_b, units=[gen_unit(agency_b)], roles=("admin",))
    db.session.commit()
    login(client, admin_b)
    headers = json_headers(client)
    assert client.put(f"{RULES}/{rule.id}", json=RULE_JSON, headers=headers).status_code == 404
    assert client.delete(f"{RULES}/{rule.id}", headers=headers).status_code == 404
    assert client.get(f"{ACCOUNTS}/{account.id}").status_code == 404
    put = client.put(f"{ACCOUNTS}/{account.id}", json={"active": False}, headers=headers)
    assert put.status_code == 404
    retry = client.post(f"/api/admin/quarantine/{event.id}/retry", headers=headers)
    assert retry.status_code == 404
    db.session.expire_all()
    assert db.session.get(RoutingRule, rule.id).name == "A's rule"
    assert db.session.get(ChannelAccount, account.id).active is True
    assert db.session.get(InboundEvent, event.id).quarantined_at is not None
    assert db.session.scalar(db.select(db.func.count()).select_from(AdminAuditLog)) == 0
