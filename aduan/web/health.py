from flask import Blueprint, jsonify

from aduan.services.admin import health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    healthy, report = health.check()
    return jsonify(report), 200 if healthy else 503
