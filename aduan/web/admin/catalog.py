"""Admin pages for categories and SLA profiles."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from aduan.models import Category, SlaProfile
from aduan.services.admin import catalog as admin_catalog
from aduan.services.admin.common import own
from aduan.web.admin.blueprint import bp
from aduan.web.admin.forms import Field, handle
from aduan.web.admin.org import FORM, _me
from aduan.web.auth_session import roles_required


@bp.get("/categories")
@roles_required("admin")
def categories():
    agency_id = current_user.agency_id
    return render_template(
        "admin/categories.html",
        categories=admin_catalog.categories(agency_id),
        units={u.id: u for u in admin_catalog.units(agency_id)},
        profiles={p.id: p for p in admin_catalog.profiles(agency_id)},
    )


def _category_fields() -> list[Field]:
    agency_id = current_user.agency_id
    units = [(u.id, f"{u.code} {u.name}") for u in admin_catalog.units(agency_id)]
    profiles = [(p.id, p.name) for p in admin_catalog.profiles(agency_id)]
    return [
        Field("code", _("Code"), required=True),
        Field("name_ms", _("Name (Bahasa Malaysia)"), required=True),
        Field("name_en", _("Name (English)"), required=True),
        Field("default_unit_id", _("Default unit"), "select", units),
        Field("sla_profile_id", _("SLA profile"), "select", profiles),
        Field("active", _("Active"), "checkbox"),
    ]


@bp.route("/categories/new", methods=["GET", "POST"])
@roles_required("admin")
def category_new():
    return handle(
        FORM, lambda form: admin_catalog.save_category(_me(), form), url_for("admin.categories"),
        admin_catalog.category_values(None), fields=_category_fields(), title=_("New category"),
    )  # fmt: skip


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@roles_required("admin")
def category_edit(category_id: int):
    row = own(Category, category_id, current_user.agency_id)
    return handle(
        FORM, lambda form: admin_catalog.save_category(_me(), form, row),
        url_for("admin.categories"), admin_catalog.category_values(row),
        fields=_category_fields(), title=_("Edit category"),
    )  # fmt: skip


@bp.get("/sla-profiles")
@roles_required("admin")
def sla_profiles():
    rows = admin_catalog.profiles(current_user.agency_id)
    return render_template("admin/sla_profiles.html", profiles=rows)


def _profile_fields() -> list[Field]:
    days = _("working days")
    return [
        Field("name", _("Name"), required=True),
        Field("acknowledge_days", _("Acknowledge within"), "number", hint=days, required=True),
        Field("first_response_days", _("First response within"), "number", hint=days,
              required=True),
        Field("resolve_days", _("Resolve within (normal)"), "number", hint=days, required=True),
        Field("resolve_days_complex", _("Resolve within (complex)"), "number", hint=days,
              required=True),
        Field("warn_days_before", _("Warn this many days before"), "number", required=True),
    ]  # fmt: skip


@bp.route("/sla-profiles/new", methods=["GET", "POST"])
@roles_required("admin")
def sla_profile_new():
    return handle(
        FORM, lambda form: admin_catalog.save_profile(_me(), form), url_for("admin.sla_profiles"),
        admin_catalog.profile_values(None), fields=_profile_fields(), title=_("New SLA profile"),
    )  # fmt: skip


@bp.route("/sla-profiles/<int:profile_id>", methods=["GET", "POST"])
@roles_required("admin")
def sla_profile_edit(profile_id: int):
    row = own(SlaProfile, profile_id, current_user.agency_id)
    return handle(
        FORM, lambda form: admin_catalog.save_profile(_me(), form, row),
        url_for("admin.sla_profiles"), admin_catalog.profile_values(row),
        fields=_profile_fields(), title=_("Edit SLA profile"),
    )  # fmt: skip
