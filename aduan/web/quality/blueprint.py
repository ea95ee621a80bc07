"""The service-quality staff blueprint (``/kualiti``), in the admin/officer layout."""

from __future__ import annotations

from flask import Blueprint

from aduan.web.admin.blueprint import admin_context

bp = Blueprint("quality", __name__, url_prefix="/kualiti")
bp.context_processor(admin_context)

MANAGERS = ("admin", "complaint_manager")  # plan and analyse; every officer sees ratings
STAFF = ("admin", "complaint_manager", "supervisor", "officer")
