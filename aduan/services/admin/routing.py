"""Routing rules: one write path (``write``, ``delete``) for the admin page and the JSON API.

``write`` takes the rule in the API's shape (``RoutingRuleSchema``), checks that its targets are
the agency's own, writes and audits; its errors are keyed like that shape (``name``,
``conditions.types`` nested). ``save`` is the HTML form's adapter: it maps the form onto that
shape and the errors back onto the form's fields (``cond_types``), so both validate alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from aduan import areas
from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Category, Officer, Unit
from aduan.models.routing import RoutingRule
from aduan.schemas.routing import RoutingRuleSchema
from aduan.services.admin import common as f

CONDITIONS = ("categories", "types", "channels", "states")
ACTIONS = ("unit_id", "category_id", "type", "priority_group", "complexity")
FIELDS = ("name", "position", "active", "conditions", "actions")
UNKNOWN = _l("This field is not known.")
_FORM_PREFIX = {"conditions": "cond_", "actions": "act_"}
_schema = RoutingRuleSchema()


def list_for(agency_id: int) -> list[RoutingRule]:
    query = db.select(RoutingRule).where(RoutingRule.agency_id == agency_id)
    return list(db.session.scalars(query.order_by(RoutingRule.position, RoutingRule.id)))


def values(rule: RoutingRule | None) -> dict[str, Any]:
    """Form values: conditions as ``cond_<key>`` lists, keywords and the area one text each,
    actions ``act_<key>``."""
    if rule is None:
        return {"active": True, "position": 0}
    conditions, actions = rule.conditions or {}, rule.actions or {}
    out: dict[str, Any] = {"name": rule.name, "position": rule.position, "active": rule.active}
    out.update({f"cond_{k}": conditions.get(k) or [] for k in CONDITIONS})
    out["cond_keywords"] = ", ".join(conditions.get("keywords") or [])
    out["cond_area"] = areas.as_text(conditions.get("area"))
    out.update({f"act_{k}": "" if actions.get(k) is None else actions[k] for k in ACTIONS})
    return out


def save(actor: Officer, form, rule: RoutingRule | None = None) -> RoutingRule:
    """The admin form's door to ``write``: errors come back keyed by the form's fields."""
    try:
        return write(actor, _payload(form), rule)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, errors=form_errors(exc.errors)) from None


def write(actor: Officer, payload: Mapping[str, Any], rule: RoutingRule | None = None):
    """Create (``rule`` None) or replace a rule of the actor's agency from ``payload`` in the
    API's shape; validated by the schema plus own-agency targets; audited; the caller commits."""
    data = _load(actor.agency_id, payload)
    before = f.snapshot(rule, FIELDS) if rule is not None else None
    if rule is None:
        rule = RoutingRule(agency_id=actor.agency_id)
        db.session.add(rule)
    for key, value in data.items():
        setattr(rule, key, value)
    db.session.flush()
    after = f.snapshot(rule, FIELDS)
    f.audit(actor, "routing_rule", rule.id, "update" if before else "create", before, after)
    return rule


def delete(actor: Officer, rule: RoutingRule) -> None:
    """Delete one rule (scoped by the caller through ``common.own``); audited; caller commits."""
    f.audit(actor, "routing_rule", rule.id, "delete", f.snapshot(rule, FIELDS), None)
    db.session.delete(rule)


def _payload(form) -> dict[str, Any]:
    keywords = [k.strip() for k in str(form.get("cond_keywords") or "").split(",") if k.strip()]
    conditions = {k: form.getlist(f"cond_{k}") for k in CONDITIONS}
    actions = {k: form.get(f"act_{k}") or None for k in ACTIONS}
    for key in ("unit_id", "category_id"):
        actions[key] = _int_or_text(actions[key])
    area = str(form.get("cond_area") or "").strip()  # blank: anywhere
    return {
        "name": str(form.get("name") or "").strip(),
        "position": _int_or_text(form.get("position") or "0"),
        "active": f.checkbox(form, "active"),
        "conditions": {**conditions, "keywords": keywords, **({"area": area} if area else {})},
        "actions": {k: v for k, v in actions.items() if v is not None},
    }


def _int_or_text(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return value  # the schema reports it as not a whole number


def _load(agency_id: int, payload: Mapping[str, Any]) -> dict[str, Any]:
    try:
        data = _schema.load(payload)
    except ValidationError as exc:
        raise ValidationFailed("the routing rule is not valid", errors=_translated(exc, payload))
    errors: dict[str, Any] = {}
    actions = data.get("actions") or {}
    for key, model in (("unit_id", Unit), ("category_id", Category)):
        target = actions.get(key)
        row = db.session.get(model, target) if target is not None else None
        if target is not None and (row is None or row.agency_id != agency_id):
            _add(errors, "actions", key, f.BAD_CHOICE)
    codes = set(db.session.scalars(db.select(Category.code).where(Category.agency_id == agency_id)))
    if any(code not in codes for code in (data.get("conditions") or {}).get("categories", [])):
        _add(errors, "conditions", "categories", f.BAD_CHOICE)
    if errors:
        raise ValidationFailed("the routing rule is not valid", errors=errors)
    return data


def _translated(exc: ValidationError, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Marshmallow's messages replaced by the admin forms' translated ones, same keys."""
    errors: dict[str, Any] = {}
    for key, value in exc.messages.items():  # type: ignore[union-attr]
        if key in _FORM_PREFIX and isinstance(value, dict):
            for sub, messages in value.items():
                said = sub == "area" and isinstance(messages, list) and messages  # why, in words
                _add(errors, key, str(sub), messages[0] if said else _message(messages))
        elif key == "name":
            too_long = len(str(payload.get("name") or "").strip()) > 200
            _add(errors, None, key, f.TOO_LONG if too_long else f.REQUIRED)
        else:
            fallback = f.NOT_NEGATIVE if key == "position" else f.BAD_CHOICE
            _add(errors, None, str(key), _message(value, fallback))
    return errors


def _message(messages, fallback=f.BAD_CHOICE):
    unknown = _schema.error_messages["unknown"]
    return UNKNOWN if isinstance(messages, list) and unknown in messages else fallback


def _add(errors: dict[str, Any], group: str | None, field: str, message) -> None:
    target = errors if group is None else errors.setdefault(group, {})
    target.setdefault(field, []).append(str(message))


def form_errors(errors: dict[str, Any]) -> f.Errors:
    """Errors in the API's shape as the form's fields: ``conditions.types`` → ``cond_types``."""
    flat: f.Errors = {}
    for key, value in errors.items():
        if isinstance(value, dict):
            for sub, messages in value.items():
                flat.setdefault(_FORM_PREFIX.get(key, f"{key}_") + sub, []).extend(messages)
        else:
            flat.setdefault(key, []).extend(value)
    return flat
