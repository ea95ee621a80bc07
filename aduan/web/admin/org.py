"""Admin pages for the agency itself, its units and its officers."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from aduan.models import Officer, Unit
from aduan.services.admin import agency as admin_agency
from aduan.services.admin import officers as admin_officers
from aduan.services.admin import units as admin_units
from aduan.services.admin.common import own
from aduan.services.outbox.notices import OFF_SETTING
from aduan.services.sla.working_calendar import STATES
from aduan.vocabulary import agency_roles
from aduan.web.admin.blueprint import bp
from aduan.web.admin.forms import Field, handle
from aduan.web.auth_session import roles_required

FORM = "admin/form.html"


def _me() -> Officer:
    return current_user._get_current_object()


@bp.get("/")
@roles_required("admin")
def index():
    return render_template("admin/index.html")


@bp.route("/agency", methods=["GET", "POST"])
@roles_required("admin")
def agency():
    from aduan.extensions import db
    from aduan.models import Agency

    row = db.session.get(Agency, current_user.agency_id)
    fields = [
        Field("name", _("Name"), required=True),
        Field("office_open", _("Office opens"), "time", required=True),
        Field("office_close", _("Office closes"), "time", required=True),
        Field("public_hotline", _("Hotline"),
              hint=_("Shown with the address and office hours on the agency's public pages.")),
        Field("public_address", _("Address"), "textarea"),
        Field("thread_window_days", _("Thread window (days)"), "number", required=True,
              hint=_("A message within this many days continues the complainant's open ticket.")),
        *_whatsapp_fields(),
        Field(OFF_SETTING, _("Notices not sent to complainants"), "multi",
              list(admin_agency.NOTICE_LABELS.items()),
              hint=_("Tick a notice to stop sending it. Acknowledgements and officers' replies "
                     "are always sent.")),
        Field("charter_reviewed_on", _("Client charter last reviewed"), "date"),
    ]  # fmt: skip
    return handle(
        FORM, lambda form: admin_agency.save(_me(), form), url_for("admin.agency"),
        admin_agency.values(row), fields=fields, title=_("Agency settings"),
    )  # fmt: skip


def _whatsapp_fields() -> list[Field]:
    """The WhatsApp templates, each in BM and EN, and the expiry of held messages."""
    ack = _(
        "Template used outside the 24-hour window. {{1}}: reference, {{2}}: expected "
        "resolution date."
    )
    notice = _(
        "Sent outside the 24-hour window instead of a reply or notice, which follows "
        "when the complainant writes again. {{1}}: reference, {{2}}: status page link."
    )
    fallback = _(
        "For complainants writing in English. When one language has no template, the "
        "other language's is used."
    )
    labels = {
        "whatsapp_ack_template": (
            _("WhatsApp acknowledgement template (BM)"),
            _("WhatsApp acknowledgement template (EN)"),
            ack,
        ),
        "whatsapp_cloud_ack_template": (
            _("WhatsApp (Meta) acknowledgement template (BM)"),
            _("WhatsApp (Meta) acknowledgement template (EN)"),
            ack,
        ),
        "whatsapp_notice_template": (
            _("WhatsApp new-message template (BM)"),
            _("WhatsApp new-message template (EN)"),
            notice,
        ),
        "whatsapp_cloud_notice_template": (
            _("WhatsApp (Meta) new-message template (BM)"),
            _("WhatsApp (Meta) new-message template (EN)"),
            notice,
        ),
    }
    fields = []
    for key, (label_ms, label_en, hint) in labels.items():
        fields.append(Field(key, label_ms, hint=hint))
        fields.append(Field(f"{key}_en", label_en, hint=fallback))
    fields.append(
        Field(
            "whatsapp_held_expiry_days",
            _("Held WhatsApp messages expire after (days)"),
            "number",
            hint=_(
                "A message held outside the 24-hour window that the complainant has not "
                "answered by then is marked expired and the assigned officer is told to use "
                "another channel. Default 3."
            ),
        )
    )
    return fields


@bp.get("/units")
@roles_required("admin")
def units():
    rows = admin_units.list_for(current_user.agency_id)
    return render_template("admin/units.html", units=rows, states=STATES)


def _unit_fields() -> list[Field]:
    agency_id = current_user.agency_id
    states = [(code, f"{code} {name}") for code, (_abbr, name) in STATES.items()]
    units = [(u.id, f"{u.code} {u.name}") for u in admin_units.list_for(agency_id)]
    heads = [(o.id, o.name) for o in admin_units.officers_of(agency_id)]
    return [
        Field("code", _("Code"), required=True),
        Field("name", _("Name"), required=True),
        Field("state_code", _("State"), "select", states, required=True),
        Field("parent_id", _("Parent unit"), "select", units),
        Field("head_officer_id", _("Head of unit"), "select", heads),
        Field("active", _("Active"), "checkbox"),
    ]


@bp.route("/units/new", methods=["GET", "POST"])
@roles_required("admin")
def unit_new():
    return handle(
        FORM, lambda form: admin_units.save(_me(), form), url_for("admin.units"),
        admin_units.values(None), fields=_unit_fields(), title=_("New unit"),
    )  # fmt: skip


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@roles_required("admin")
def unit_edit(unit_id: int):
    unit = own(Unit, unit_id, current_user.agency_id)
    return handle(
        FORM, lambda form: admin_units.save(_me(), form, unit), url_for("admin.units"),
        admin_units.values(unit), fields=_unit_fields(), title=_("Edit unit"),
    )  # fmt: skip


@bp.get("/officers")
@roles_required("admin")
def officers():
    rows = admin_officers.list_for(current_user.agency_id)
    return render_template("admin/officers.html", officers=rows)


def _officer_fields(new: bool) -> list[Field]:
    locale = str(get_locale() or "ms")
    roles = [(r.value, r.label(locale)) for r in agency_roles()]
    units = [(u.id, f"{u.code} {u.name}") for u in admin_officers.units_of(current_user.agency_id)]
    return [
        Field("username", _("Username"), required=True),
        Field("name", _("Name"), required=True),
        Field("email", _("E-mail"), required=True),
        Field("password", _("Password"), "secret", required=new,
              hint="" if new else _("Leave blank to keep the current password.")),
        Field("roles", _("Roles"), "multi", roles, required=True),
        Field("unit_ids", _("Units"), "multi", units),
        Field("locale", _("Language"), "select", [("ms", "Bahasa Malaysia"), ("en", "English")]),
        Field("active", _("Active"), "checkbox",
              hint=_("Deactivating signs the officer out everywhere.")),
    ]  # fmt: skip


@bp.route("/officers/new", methods=["GET", "POST"])
@roles_required("admin")
def officer_new():
    return handle(
        FORM, lambda form: admin_officers.save(_me(), form), url_for("admin.officers"),
        admin_officers.values(None), fields=_officer_fields(True), title=_("New officer"),
    )  # fmt: skip


@bp.route("/officers/<int:officer_id>", methods=["GET", "POST"])
@roles_required("admin")
def officer_edit(officer_id: int):
    officer = own(Officer, officer_id, current_user.agency_id)
    return handle(
        FORM, lambda form: admin_officers.save(_me(), form, officer), url_for("admin.officers"),
        admin_officers.values(officer), fields=_officer_fields(False), title=_("Edit officer"),
    )  # fmt: skip
