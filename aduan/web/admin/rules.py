"""Admin pages for routing rules and the duty roster (the calendars: ``admin.holidays``)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Unit
from aduan.models.routing import RoutingRule
from aduan.services.admin import catalog as admin_catalog
from aduan.services.admin import roster as admin_roster
from aduan.services.admin import routing as admin_routing
from aduan.services.admin.common import own
from aduan.services.sla.working_calendar import STATES
from aduan.vocabulary import Complexity, PriorityGroup, TicketType, channel_terms
from aduan.web.admin.blueprint import bp
from aduan.web.admin.forms import Field, as_form, handle
from aduan.web.admin.org import FORM, _me
from aduan.web.auth_session import roles_required


def _labels(enum) -> list[tuple[str, str]]:
    locale = str(get_locale() or "ms")
    return [(m.value, m.label(locale)) for m in enum]


@bp.get("/routing-rules")
@roles_required("admin")
def routing_rules():
    rules = admin_routing.list_for(current_user.agency_id)
    return render_template("admin/routing_rules.html", rules=rules)


def _area_hint() -> str:
    """What the area field takes (read in the request's language)."""
    return _(
        "A GeoJSON Polygon or MultiPolygon (longitude first), e.g. from geojson.io, or a "
        "box: minLon, minLat, maxLon, maxLat. Tickets without a map point are in no area. "
        "Empty: anywhere."
    )


def _rule_fields() -> list[Field]:
    agency_id = current_user.agency_id
    categories = [(c.code, c.code) for c in admin_catalog.categories(agency_id)]
    category_ids = [(c.id, c.code) for c in admin_catalog.categories(agency_id)]
    units = [(u.id, f"{u.code} {u.name}") for u in admin_catalog.units(agency_id)]
    states = [(code, f"{code} {name}") for code, (_abbr, name) in STATES.items()]
    return [
        Field("name", _("Name"), required=True),
        Field("position", _("Order"), "number", hint=_("Rules are tried from the lowest order.")),
        Field("active", _("Active"), "checkbox"),
        Field("cond_categories", _("When category is"), "multi", categories),
        Field("cond_types", _("When type is"), "multi", _labels(TicketType)),
        Field("cond_channels", _("When channel is"), "multi", _labels(channel_terms())),
        Field("cond_states", _("When state is"), "multi", states),
        Field("cond_keywords", _("When any keyword occurs"), hint=_("Separate with commas.")),
        Field("cond_area", _("When located inside the area"), "textarea", hint=_area_hint()),
        Field("act_unit_id", _("Then route to unit"), "select", units),
        Field("act_category_id", _("Then set category"), "select", category_ids),
        Field("act_type", _("Then set type"), "select", _labels(TicketType)),
        Field("act_priority_group", _("Then set priority group"), "select", _labels(PriorityGroup)),
        Field("act_complexity", _("Then set complexity"), "select", _labels(Complexity)),
    ]


@bp.route("/routing-rules/new", methods=["GET", "POST"])
@roles_required("admin")
def routing_rule_new():
    return handle(
        FORM, lambda form: admin_routing.save(_me(), form), url_for("admin.routing_rules"),
        admin_routing.values(None), fields=_rule_fields(), title=_("New routing rule"),
    )  # fmt: skip


@bp.route("/routing-rules/<int:rule_id>", methods=["GET", "POST"])
@roles_required("admin")
def routing_rule_edit(rule_id: int):
    rule = own(RoutingRule, rule_id, current_user.agency_id)
    return handle(
        FORM, lambda form: admin_routing.save(_me(), form, rule), url_for("admin.routing_rules"),
        admin_routing.values(rule), fields=_rule_fields(), title=_("Edit routing rule"),
        delete_url=url_for("admin.routing_rule_delete", rule_id=rule.id),
    )  # fmt: skip


@bp.post("/routing-rules/<int:rule_id>/delete")
@roles_required("admin")
def routing_rule_delete(rule_id: int):
    admin_routing.delete(_me(), own(RoutingRule, rule_id, current_user.agency_id))
    db.session.commit()
    flash(_("Deleted."), "success")
    return redirect(url_for("admin.routing_rules"), code=303)


@bp.get("/roster")
@roles_required("admin")
def roster():
    units = admin_catalog.units(current_user.agency_id)
    return render_template("admin/roster.html", units=units)


@bp.route("/roster/<int:unit_id>", methods=["GET", "POST"])
@roles_required("admin")
def roster_unit(unit_id: int):
    unit = own(Unit, unit_id, current_user.agency_id)
    if request.method == "POST":
        admin_roster.save_pattern(_me(), unit, request.form)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("admin.roster_unit", unit_id=unit.id), code=303)
    return _roster_page(unit, as_form({"kind": "leave"}), {})


@bp.post("/roster/<int:unit_id>/exceptions")
@roles_required("admin")
def roster_exception_add(unit_id: int):
    unit = own(Unit, unit_id, current_user.agency_id)
    try:
        admin_roster.add_exception(_me(), unit, request.form)
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        flash(_("Please correct the errors below."), "error")
        return _roster_page(unit, request.form, exc.errors), 422
    flash(_("Saved."), "success")
    return redirect(url_for("admin.roster_unit", unit_id=unit.id), code=303)


@bp.post("/roster/<int:unit_id>/exceptions/<int:exception_id>/delete")
@roles_required("admin")
def roster_exception_delete(unit_id: int, exception_id: int):
    unit = own(Unit, unit_id, current_user.agency_id)
    admin_roster.delete_exception(_me(), unit, exception_id)
    db.session.commit()
    flash(_("Deleted."), "success")
    return redirect(url_for("admin.roster_unit", unit_id=unit.id), code=303)


def _roster_page(unit: Unit, values, errors):
    return render_template(
        "admin/roster_unit.html",
        unit=unit,
        members=admin_roster.members(unit),
        pattern=admin_roster.pattern(unit),
        exceptions=admin_roster.exceptions(unit),
        values=values,
        errors=errors,
    )
