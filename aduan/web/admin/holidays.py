"""The calendars page: the national calendar (read by every admin, changed only by a platform
administrator) and the agency's own office closures (changed by its admins)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from aduan.services.admin import closures as admin_closures
from aduan.services.admin import holidays as admin_holidays
from aduan.services.sla.working_calendar import STATES
from aduan.vocabulary import Role
from aduan.web.admin.blueprint import bp
from aduan.web.admin.forms import Field, handle
from aduan.web.admin.org import FORM, _me
from aduan.web.auth_session import roles_required

ADMIN = Role.ADMIN.value
PLATFORM_ADMIN = Role.PLATFORM_ADMIN.value


@bp.get("/holidays")
@roles_required(ADMIN, PLATFORM_ADMIN)
def holidays():
    closures = admin_closures.list_for(current_user.agency_id) if _is(ADMIN) else None
    return render_template(
        "admin/holidays.html", rows=admin_holidays.list_all(), closures=closures, states=STATES,
        may_edit_national=_is(PLATFORM_ADMIN),
    )  # fmt: skip


def _is(role: str) -> bool:
    return current_user.has_role(role)


def _states(everywhere: str) -> list[tuple[str, str]]:
    return [("", everywhere)] + [(code, f"{code} {name}") for code, (_a, name) in STATES.items()]


def _closure_fields() -> list[Field]:
    return [
        Field("day", _("Date"), "date", required=True),
        Field("state_code", _("Offices in"), "select", _states(_("Every state")),
              hint=_("Only your agency's deadlines and duty roster take this day off.")),
        Field("name", _("Reason"), required=True),
    ]  # fmt: skip


@bp.route("/holidays/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def holiday_new():
    return handle(
        FORM, lambda form: admin_closures.save(_me(), form), url_for("admin.holidays"),
        admin_closures.values(None), fields=_closure_fields(), title=_("New office closure"),
    )  # fmt: skip


@bp.route("/holidays/<int:closure_id>", methods=["GET", "POST"])
@roles_required(ADMIN)
def holiday_edit(closure_id: int):
    row = admin_closures.get(closure_id, current_user.agency_id)
    return handle(
        FORM, lambda form: admin_closures.save(_me(), form, row), url_for("admin.holidays"),
        admin_closures.values(row), fields=_closure_fields(), title=_("Edit office closure"),
        delete_url=url_for("admin.holiday_delete", closure_id=row.id),
    )  # fmt: skip


@bp.post("/holidays/<int:closure_id>/delete")
@roles_required(ADMIN)
def holiday_delete(closure_id: int):
    admin_closures.delete(_me(), admin_closures.get(closure_id, current_user.agency_id))
    flash(_("Deleted."), "success")
    return redirect(url_for("admin.holidays"), code=303)


def _national_fields() -> list[Field]:
    return [
        Field("day", _("Date"), "date", required=True),
        Field("state_code", _("State"), "select", _states(_("Whole country"))),
        Field("name", _("Name"), required=True),
        Field("is_holiday", _("Holiday"), "checkbox",
              hint=_("Untick to make the date a working day instead.")),
    ]  # fmt: skip


@bp.route("/national-calendar/new", methods=["GET", "POST"])
@roles_required(PLATFORM_ADMIN)
def national_holiday_new():
    return handle(
        FORM, lambda form: admin_holidays.save(_me(), form), url_for("admin.holidays"),
        admin_holidays.values(None), fields=_national_fields(),
        title=_("New national holiday override"),
    )  # fmt: skip


@bp.route("/national-calendar/<int:override_id>", methods=["GET", "POST"])
@roles_required(PLATFORM_ADMIN)
def national_holiday_edit(override_id: int):
    row = admin_holidays.get(override_id)
    return handle(
        FORM, lambda form: admin_holidays.save(_me(), form, row), url_for("admin.holidays"),
        admin_holidays.values(row), fields=_national_fields(),
        title=_("Edit national holiday override"),
        delete_url=url_for("admin.national_holiday_delete", override_id=row.id),
    )  # fmt: skip


@bp.post("/national-calendar/<int:override_id>/delete")
@roles_required(PLATFORM_ADMIN)
def national_holiday_delete(override_id: int):
    admin_holidays.delete(_me(), admin_holidays.get(override_id))
    flash(_("Deleted."), "success")
    return redirect(url_for("admin.holidays"), code=303)
