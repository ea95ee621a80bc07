"""Every text the messaging bots send, from the gettext catalogues (English msgids).

Chat messages assembled in workers: ``text(language, key, **values)`` renders one in the
citizen's language (``force_locale``), whatever the language of the job. Placeholders are
``%(name)s``."""

# ruff: noqa: E501  (message texts read better unwrapped)
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from aduan.languages import render

TEXTS = {
    "choose_language": _l(
        "Welcome to the complaints line. Sila pilih bahasa / Please choose a language / 请选择语言 / மொழியைத் தேர்ந்தெடுக்கவும்:"
    ),
    "choose_language_again": _l(
        "Please choose 1 (Bahasa Malaysia), 2 (English), 3 (中文) or 4 (தமிழ்)."
    ),
    "choose_type": _l("What kind of feedback is it? Reply with a number:\n%(options)s"),
    "choose_type_again": _l(
        "Not a valid choice. Reply with a number from 1 to %(count)s:\n%(options)s"
    ),
    "choose_category": _l("Choose a category. Reply with a number:\n%(options)s"),
    "choose_category_again": _l(
        "Not a valid category. Reply with a number from 1 to %(count)s:\n%(options)s"
    ),
    "ask_description": _l("Please describe your complaint (what, where, when)."),
    "ask_description_again": _l("That is too short. Please write at least %(minimum)s characters."),
    "choose_state": _l("In which state is it? Reply with a number:\n%(options)s"),
    "choose_state_again": _l("Not a valid state. Reply with a number from 1 to 16:\n%(options)s"),
    "ask_district": _l("Name the district or area (optional). Type SKIP to go on."),
    "ask_district_again": _l(
        "That district name is too long (at most %(maximum)s characters). Try again or type SKIP."
    ),
    "ask_photo": _l("Send a related photo (optional), or type SKIP."),
    "ask_photo_again": _l("Please send a photo, or type SKIP to go on without one."),
    "confirm": _l(
        "Please check your complaint:\nType: %(type)s\nCategory: %(category)s\nDescription: %(description)s\nState: %(state)s\nDistrict: %(district)s\nPhotos: %(photos)s\n\nReply YES to send it or CANCEL to cancel."
    ),
    "confirm_again": _l("Reply YES to send your complaint or CANCEL to cancel."),
    "filed": _l("Thank you. Your complaint has been received. Reference No.: %(reference)s"),
    "cancelled": _l("Complaint cancelled. Type /start to begin again."),
    "button_expired": _l("This button has expired. Type /start to file a new complaint."),
    "nothing_to_cancel": _l("No complaint is being filled in. Type /start to file one."),
    "not_found": _l(
        "No such reference for your number. Please check the status on the web page with verification: %(link)s"
    ),
    "semak_usage": _l("Type STATUS followed by the reference number, e.g. STATUS ADU-2026-K7M3QX"),
    "status": _l("Complaint %(reference)s: %(status)s. Updated %(updated)s."),
    "new_ticket_prompt": _l("OK. Send your new complaint in your next message."),
    "help": _l(
        "Commands: STATUS <reference no.> for a complaint's status; NEW for a new complaint; HELP for help. Any other message is taken as a complaint or a reply."
    ),
    "telegram_help": _l(
        "Commands: /start to file a complaint, /status <reference no.> for its status, /batal to cancel."
    ),
    "skip": _l("Skip"),
    "yes": _l("Yes, send"),
    "no": _l("Cancel"),
    "none": "-",
}


def text(language: str, key: str, **values: object) -> str:
    """The text ``key`` in the citizen ``language``, filled with ``values``."""
    return render(TEXTS[key], language, **values)


def both(key: str, **values: object) -> str:
    """BM then EN, for messages sent before we know the language (e.g. BANTUAN/HELP)."""
    return f"{text('ms', key, **values)}\n\n{text('en', key, **values)}"
