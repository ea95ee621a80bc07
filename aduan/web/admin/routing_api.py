"""Admin JSON API for routing rules, scoped to the signed-in admin's agency.

CSRF: this blueprint is exempt from the form token because it takes JSON only, and every
state-changing request must carry ``X-Requested-With: XMLHttpRequest``. A cross-site form
cannot set that header, and a cross-site ``fetch`` that sets it needs a CORS preflight that
this app never grants — so a forged request is refused before it reaches a view.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user
from marshmallow import ValidationError

from aduan.errors import NotFound, PermissionDenied, ValidationFailed
from aduan.extensions import csrf, db
from aduan.models import Category, Unit
from aduan.models.routing import RoutingRule
from aduan.schemas.routing import RoutingRuleSchema
from aduan.web.auth_session import roles_required

bp = Blueprint("api_routing", __name__, url_prefix="/api/admin/routing-rules")
csrf.exempt(bp)
schema = RoutingRuleSchema()
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
AJAX_HEADER = ("X-Requested-With", "XMLHttpRequest")


@bp.before_request
def _require_ajax_header():
    if request.method in SAFE_METHODS:
        return
    if request.headers.get(AJAX_HEADER[0]) != AJAX_HEADER[1]:
        raise PermissionDenied(f"send the header {AJAX_HEADER[0]}: {AJAX_HEADER[1]}")


@bp.get("")
@roles_required("admin")
def list_rules():
    rules = db.session.scalars(
        db.select(RoutingRule)
        .where(RoutingRule.agency_id == current_user.agency_id)
        .order_by(RoutingRule.position, RoutingRule.id)
    )
    return jsonify(items=schema.dump(rules, many=True))


@bp.post("")
@roles_required("admin")
def create_rule():
    data = _load()
    rule = RoutingRule(agency_id=current_user.agency_id, **data)
    db.session.add(rule)
    db.session.commit()
    return jsonify(schema.dump(rule)), 201


@bp.get("/<int:rule_id>")
@roles_required("admin")
def get_rule(rule_id: int):
    return jsonify(schema.dump(_own_rule(rule_id)))


@bp.put("/<int:rule_id>")
@roles_required("admin")
def update_rule(rule_id: int):
    rule = _own_rule(rule_id)
    for key, value in _load().items():
        setattr(rule, key, value)
    db.session.commit()
    return jsonify(schema.dump(rule))


@bp.delete("/<int:rule_id>")
@roles_required("admin")
def delete_rule(rule_id: int):
    db.session.delete(_own_rule(rule_id))
    db.session.commit()
    return "", 204


def _own_rule(rule_id: int) -> RoutingRule:
    rule = db.session.get(RoutingRule, rule_id)
    if rule is None or rule.agency_id != current_user.agency_id:
        raise NotFound("no such routing rule")  # another agency's rule is not acknowledged
    return rule


def _load() -> dict:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationFailed("send a JSON object", errors={"_body": ["JSON object expected"]})
    try:
        data = schema.load(payload)
    except ValidationError as exc:
        raise ValidationFailed("the routing rule is not valid", errors=exc.messages)
    _check_own(data.get("actions") or {})
    return data


def _check_own(actions: dict) -> None:
    """Actions may only point at the admin's own agency's units and categories."""
    for key, model in (("unit_id", Unit), ("category_id", Category)):
        target = actions.get(key)
        row = db.session.get(model, target) if target is not None else None
        if target is not None and (row is None or row.agency_id != current_user.agency_id):
            raise ValidationFailed(
                "the rule points outside your agency", errors={"actions": {key: ["unknown"]}}
            )
