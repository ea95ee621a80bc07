"""The admin's own agency: name, office hours, the hotline and address its public pages show,
thread window, WhatsApp templates (BM and EN) and how long a held WhatsApp message waits,
charter date."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from aduan.extensions import db
from aduan.models import Agency, Officer
from aduan.services.admin import common as f
from aduan.services.citizen.agency_pages import ADDRESS, HOTLINE
from aduan.services.intake.placement import DEFAULT_WINDOW_DAYS
from aduan.services.outbox.notices import OFF_SETTING
from aduan.services.outbox.whatsapp_templates import LANGUAGES, template_setting
from aduan.services.outbox.whatsapp_window import DEFAULT_HELD_EXPIRY_DAYS, HELD_EXPIRY_SETTING

CLOSE_AFTER_OPEN = _l("Closing time must be after opening time.")
BAD_HOTLINE = _l("Enter a telephone number, e.g. 03-7956 3544 or 1-800-88-7723.")
_HOTLINE = re.compile(r"^\+?[0-9][0-9 ()-]{2,38}$")
FIELDS = ("name", "office_open", "office_close", "charter_reviewed_on")
TEMPLATE_KINDS = (
    "whatsapp_ack_template",
    "whatsapp_cloud_ack_template",
    "whatsapp_notice_template",
    "whatsapp_cloud_notice_template",
)
# Each template in BM (the plain key) and EN (``…_en``): see whatsapp_templates.pick_template.
TEMPLATES = tuple(template_setting(kind, lang) for kind in TEMPLATE_KINDS for lang in LANGUAGES)
# How the agency's settings page names each notice.
NOTICE_LABELS = {
    "waiting": _l("Waiting for the complainant (what is needed; the clock is paused)"),
    "resumed": _l("Back in action"),
    "extended": _l("Resolution period extended"),
    "interim": _l("Interim reply with the new date"),
    "survey": _l("Resolved: the resolution, how to object and the survey"),
    "closed": _l("Closed"),
    "merged": _l("Merged into another complaint"),
    "out_of_jurisdiction": _l("Outside our jurisdiction"),
    "no_further_action": _l("No further action"),
    "reopened": _l("Re-opened by an officer"),
    "referral": _l("Referred to another agency"),
    "transfer": _l("Transferred to another unit or agency"),
    "recovery": _l("Apology and new date after a missed deadline"),
}
SETTINGS = ("thread_window_days", HELD_EXPIRY_SETTING, HOTLINE, ADDRESS, *TEMPLATES, OFF_SETTING)
TEMPLATE_MAX_LEN = 100  # OutboundMessage.template keeps the chosen template


def values(agency: Agency) -> dict[str, Any]:
    """The form's initial values."""
    settings = agency.settings or {}
    return {
        "name": agency.name,
        "office_open": agency.office_open.strftime("%H:%M") if agency.office_open else "",
        "office_close": agency.office_close.strftime("%H:%M") if agency.office_close else "",
        HOTLINE: settings.get(HOTLINE, ""),
        ADDRESS: settings.get(ADDRESS, ""),
        "thread_window_days": settings.get("thread_window_days", DEFAULT_WINDOW_DAYS),
        HELD_EXPIRY_SETTING: settings.get(HELD_EXPIRY_SETTING, DEFAULT_HELD_EXPIRY_DAYS),
        **{key: settings.get(key, "") for key in TEMPLATES},
        OFF_SETTING: list(settings.get(OFF_SETTING) or []),
        "charter_reviewed_on": agency.charter_reviewed_on.isoformat()
        if agency.charter_reviewed_on
        else "",
    }


def save(actor: Officer, form: Mapping) -> Agency:
    """Validate and store the settings of the actor's agency; audited; the caller commits."""
    agency = db.session.get(Agency, actor.agency_id)
    errors: f.Errors = {}
    name = f.text(form, "name", errors, max_len=200)
    office_open = f.time_of_day(form, "office_open", errors)
    office_close = f.time_of_day(form, "office_close", errors)
    if office_open and office_close and office_close <= office_open:
        f.add(errors, "office_close", CLOSE_AFTER_OPEN)
    hotline = f.text(form, HOTLINE, errors, max_len=40, required=False)
    if hotline and not _HOTLINE.match(hotline):
        f.add(errors, HOTLINE, BAD_HOTLINE)
    address = f.text(form, ADDRESS, errors, max_len=500, required=False)
    window = f.integer(form, "thread_window_days", errors)
    held_days = _optional_days(form, HELD_EXPIRY_SETTING, errors, DEFAULT_HELD_EXPIRY_DAYS)
    templates = {key: _template(form, key, errors) for key in TEMPLATES}
    notices_off = f.choices(form, OFF_SETTING, errors, NOTICE_LABELS)
    reviewed = f.date(form, "charter_reviewed_on", errors, required=False)
    f.fail_if(errors)
    before = _snapshot(agency)
    agency.name, agency.office_open, agency.office_close = name, office_open, office_close
    agency.charter_reviewed_on = reviewed
    agency.settings = {
        **(agency.settings or {}),
        HOTLINE: hotline,
        ADDRESS: address,
        "thread_window_days": window,
        HELD_EXPIRY_SETTING: held_days,
        **templates,
        OFF_SETTING: notices_off,
    }
    after = _snapshot(agency)
    if f.changed(before, after):
        f.audit(actor, "agency", agency.id, "update", before, after)
    return agency


def _optional_days(form: Mapping, name: str, errors: f.Errors, default: int) -> int | None:
    """A positive whole number; a blank field means ``default``."""
    if not str(form.get(name) or "").strip():
        return default
    return f.integer(form, name, errors)


def _template(form: Mapping, name: str, errors: f.Errors) -> str:
    """A template name or ContentSid of at most 100 characters. Up to 200 were once accepted:
    such a value is refused on its own field with its length, so the admin knows which one
    stops the page from saving and by how much."""
    value = str(form.get(name) or "").strip()
    if len(value) > TEMPLATE_MAX_LEN:
        message = _(
            "At most %(max)s characters: this one has %(length)s. Shorten or clear it to save "
            "the page.",
            max=TEMPLATE_MAX_LEN,
            length=len(value),
        )
        f.add(errors, name, message)
    return value


def _snapshot(agency: Agency) -> dict[str, Any]:
    settings = agency.settings or {}
    return {
        **f.snapshot(agency, FIELDS),
        **{key: settings.get(key) for key in SETTINGS},
    }
