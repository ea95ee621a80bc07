"""Admin JSON API for routing rules, scoped to the signed-in admin's agency. Every write goes
through ``services.admin.routing`` — the admin page's path — so both validate and audit alike.

CSRF: this blueprint is exempt from the form token because it takes JSON only, and every
state-changing request must carry ``X-Requested-With: XMLHttpRequest``. A cross-site form
cannot set that header, and a cross-site ``fetch`` that sets it needs a CORS preflight that
this app never grants — so a forged request is refused before it reaches a view.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from aduan.errors import PermissionDenied
from aduan.extensions import csrf, db
from aduan.models.routing import RoutingRule
from aduan.schemas.routing import RoutingRuleSchema
from aduan.services.admin import routing as admin_routing
from aduan.services.admin.common import own
from aduan.web.admin.forms import json_object
from aduan.web.admin.org import _me
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
    rules = admin_routing.list_for(current_user.agency_id)
    return jsonify(items=schema.dump(rules, many=True))


@bp.post("")
@roles_required("admin")
def create_rule():
    rule = admin_routing.write(_me(), json_object())
    db.session.commit()
    return jsonify(schema.dump(rule)), 201


@bp.get("/<int:rule_id>")
@roles_required("admin")
def get_rule(rule_id: int):
    return jsonify(schema.dump(_own_rule(rule_id)))


@bp.put("/<int:rule_id>")
@roles_required("admin")
def update_rule(rule_id: int):
    rule = admin_routing.write(_me(), json_object(), _own_rule(rule_id))
    db.session.commit()
    return jsonify(schema.dump(rule))


@bp.delete("/<int:rule_id>")
@roles_required("admin")
def delete_rule(rule_id: int):
    admin_routing.delete(_me(), _own_rule(rule_id))
    db.session.commit()
    return "", 204


def _own_rule(rule_id: int) -> RoutingRule:
    return own(RoutingRule, rule_id, current_user.agency_id)  # another agency's rule: 404
