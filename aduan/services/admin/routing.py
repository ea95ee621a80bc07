"""Routing rules from the admin pages: the HTML form is mapped onto the same
``RoutingRuleSchema`` the JSON API uses, so one set of rules validates both."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Category, Officer, Unit
from aduan.models.routing import RoutingRule
from aduan.schemas.routing import RoutingRuleSchema
from aduan.services.admin import common as f

CONDITIONS = ("categories", "types", "channels", "states")
ACTIONS = ("unit_id", "category_id", "type", "priority_group", "complexity")
FIELDS = ("name", "position", "active", "conditions", "actions")
_schema = RoutingRuleSchema()


def list_for(agency_id: int) -> list[RoutingRule]:
    query = db.select(RoutingRule).where(RoutingRule.agency_id == agency_id)
    return list(db.session.scalars(query.order_by(RoutingRule.position, RoutingRule.id)))


def values(rule: RoutingRule | None) -> dict[str, Any]:
    """Form values: conditions as ``cond_<key>`` lists, keywords one text, actions ``act_<key>``."""
    if rule is None:
        return {"active": True, "position": 0}
    conditions, actions = rule.conditions or {}, rule.actions or {}
    out: dict[str, Any] = {"name": rule.name, "position": rule.position, "active": rule.active}
    out.update({f"cond_{k}": conditions.get(k) or [] for k in CONDITIONS})
    out["cond_keywords"] = ", ".join(conditions.get("keywords") or [])
    out.update({f"act_{k}": "" if actions.get(k) is None else actions[k] for k in ACTIONS})
    return out


def save(actor: Officer, form, rule: RoutingRule | None = None) -> RoutingRule:
    """Validate through the API schema (plus own-agency targets); audited; caller commits."""
    data = _load(actor.agency_id, _payload(form))
    before = f.snapshot(rule, FIELDS) if rule is not None else None
    if rule is None:
        rule = RoutingRule(agency_id=actor.agency_id)
        db.session.add(rule)
    for key, value in data.items():
        setattr(rule, key, value)
    db.session.flush()
    f.audit(
        actor,
        "routing_rule",
        rule.id,
        "update" if before else "create",
        before,
        f.snapshot(rule, FIELDS),
    )
    return rule


def delete(actor: Officer, rule: RoutingRule) -> None:
    f.audit(actor, "routing_rule", rule.id, "delete", f.snapshot(rule, FIELDS), None)
    db.session.delete(rule)


def _payload(form) -> dict[str, Any]:
    keywords = [k.strip() for k in str(form.get("cond_keywords") or "").split(",") if k.strip()]
    conditions = {k: form.getlist(f"cond_{k}") for k in CONDITIONS}
    actions = {k: form.get(f"act_{k}") or None for k in ACTIONS}
    for key in ("unit_id", "category_id"):
        actions[key] = _int_or_text(actions[key])
    return {
        "name": str(form.get("name") or "").strip(),
        "position": _int_or_text(form.get("position") or "0"),
        "active": f.checkbox(form, "active"),
        "conditions": {**conditions, "keywords": keywords},
        "actions": {k: v for k, v in actions.items() if v is not None},
    }


def _int_or_text(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return value  # the schema reports it as not a whole number


def _load(agency_id: int, payload: dict[str, Any]) -> dict[str, Any]:
    try:
        data = _schema.load(payload)
    except ValidationError as exc:
        raise ValidationFailed("the routing rule is not valid", errors=_flatten(exc.messages))
    errors: f.Errors = {}
    actions = data.get("actions") or {}
    for key, model in (("unit_id", Unit), ("category_id", Category)):
        target = actions.get(key)
        row = db.session.get(model, target) if target is not None else None
        if target is not None and (row is None or row.agency_id != agency_id):
            f.add(errors, f"act_{key}", f.BAD_CHOICE)
    codes = set(db.session.scalars(db.select(Category.code).where(Category.agency_id == agency_id)))
    if any(code not in codes for code in (data.get("conditions") or {}).get("categories", [])):
        f.add(errors, "cond_categories", f.BAD_CHOICE)
    f.fail_if(errors)
    return data


def _flatten(messages: dict) -> f.Errors:
    """Schema errors as form fields: ``conditions.types`` → ``cond_types`` and so on."""
    errors: f.Errors = {}
    for key, value in messages.items():
        if key in ("conditions", "actions") and isinstance(value, dict):
            prefix = "cond_" if key == "conditions" else "act_"
            for sub in value:
                f.add(errors, prefix + str(sub), f.BAD_CHOICE)
        elif key == "position":
            f.add(errors, key, f.NOT_NEGATIVE)
        elif key == "name":
            f.add(errors, key, f.REQUIRED)
        else:
            f.add(errors, str(key), f.BAD_CHOICE)
    return errors
