"""Every text the messaging bots send, in Bahasa Malaysia and English.

These are chat message texts assembled in workers (not page templates rendered for a request
locale), so they live here as one plain dict per language rather than in the Babel catalogue.
Placeholders use ``str.format`` names; ``text(language, key, **values)`` picks and fills one.
"""

# ruff: noqa: E501  (message texts read better unwrapped)
from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "ms": {
        "choose_language": "Selamat datang ke talian aduan. Sila pilih bahasa / Please choose a language:",
        "choose_language_again": "Sila pilih 1 (Bahasa Malaysia) atau 2 (English).",
        "choose_type": "Apakah jenis maklum balas anda? Balas dengan nombor:\n{options}",
        "choose_type_again": "Pilihan tidak sah. Balas dengan nombor 1 hingga {count}:\n{options}",
        "choose_category": "Pilih kategori aduan. Balas dengan nombor:\n{options}",
        "choose_category_again": "Kategori tidak sah. Balas dengan nombor 1 hingga {count}:\n{options}",
        "ask_description": "Sila terangkan aduan anda (apa, di mana, bila).",
        "ask_description_again": "Keterangan terlalu pendek. Sila tulis sekurang-kurangnya {minimum} aksara.",
        "choose_state": "Di negeri manakah lokasi aduan? Balas dengan nombor:\n{options}",
        "choose_state_again": "Negeri tidak sah. Balas dengan nombor 1 hingga 16:\n{options}",
        "ask_district": "Nyatakan daerah atau kawasan (pilihan). Taip LANGKAU untuk teruskan.",
        "ask_district_again": "Nama daerah terlalu panjang (maksimum {maximum} aksara). Cuba lagi atau taip LANGKAU.",
        "ask_photo": "Hantar gambar berkaitan (pilihan), atau taip LANGKAU.",
        "ask_photo_again": "Sila hantar gambar, atau taip LANGKAU untuk teruskan tanpa gambar.",
        "confirm": (
            "Sila semak aduan anda:\nJenis: {type}\nKategori: {category}\nKeterangan: "
            "{description}\nNegeri: {state}\nDaerah: {district}\nGambar: {photos}\n\n"
            "Balas YA untuk hantar atau BATAL untuk membatalkan."
        ),
        "confirm_again": "Balas YA untuk menghantar aduan atau BATAL untuk membatalkan.",
        "filed": "Terima kasih. Aduan anda telah diterima. No. Rujukan: {reference}",
        "cancelled": "Aduan dibatalkan. Taip /start untuk bermula semula.",
        "button_expired": "Butang ini sudah tamat. Taip /start untuk membuat aduan baharu.",
        "nothing_to_cancel": "Tiada aduan yang sedang diisi. Taip /start untuk membuat aduan.",
        "not_found": (
            "Rujukan tidak dijumpai untuk nombor anda. Sila semak status di laman web "
            "dengan pengesahan: {link}"
        ),
        "semak_usage": "Taip SEMAK diikuti nombor rujukan, contoh: SEMAK ADU-2026-K7M3QX",
        "status": "Aduan {reference}: {status}. Dikemas kini {updated}.",
        "new_ticket_prompt": "Baik. Hantar aduan baharu anda dalam mesej seterusnya.",
        "help": (
            "Arahan: SEMAK <no. rujukan> untuk status aduan; BARU untuk aduan baharu; "
            "BANTUAN untuk bantuan. Mesej lain diterima sebagai aduan atau balasan."
        ),
        "telegram_help": (
            "Arahan: /start untuk membuat aduan, /semak <no. rujukan> untuk status, "
            "/batal untuk membatalkan."
        ),
        "skip": "Langkau",
        "yes": "Ya, hantar",
        "no": "Batal",
        "none": "-",
    },
    "en": {
        "choose_language": "Welcome to the complaints line. Sila pilih bahasa / Please choose a language:",
        "choose_language_again": "Please choose 1 (Bahasa Malaysia) or 2 (English).",
        "choose_type": "What kind of feedback is it? Reply with a number:\n{options}",
        "choose_type_again": "Not a valid choice. Reply with a number from 1 to {count}:\n{options}",
        "choose_category": "Choose a category. Reply with a number:\n{options}",
        "choose_category_again": "Not a valid category. Reply with a number from 1 to {count}:\n{options}",
        "ask_description": "Please describe your complaint (what, where, when).",
        "ask_description_again": "That is too short. Please write at least {minimum} characters.",
        "choose_state": "In which state is it? Reply with a number:\n{options}",
        "choose_state_again": "Not a valid state. Reply with a number from 1 to 16:\n{options}",
        "ask_district": "Name the district or area (optional). Type SKIP to go on.",
        "ask_district_again": "That district name is too long (at most {maximum} characters). Try again or type SKIP.",
        "ask_photo": "Send a related photo (optional), or type SKIP.",
        "ask_photo_again": "Please send a photo, or type SKIP to go on without one.",
        "confirm": (
            "Please check your complaint:\nType: {type}\nCategory: {category}\nDescription: "
            "{description}\nState: {state}\nDistrict: {district}\nPhotos: {photos}\n\n"
            "Reply YES to send it or CANCEL to cancel."
        ),
        "confirm_again": "Reply YES to send your complaint or CANCEL to cancel.",
        "filed": "Thank you. Your complaint has been received. Reference No.: {reference}",
        "cancelled": "Complaint cancelled. Type /start to begin again.",
        "button_expired": "This button has expired. Type /start to file a new complaint.",
        "nothing_to_cancel": "No complaint is being filled in. Type /start to file one.",
        "not_found": (
            "No such reference for your number. Please check the status on the web page "
            "with verification: {link}"
        ),
        "semak_usage": "Type STATUS followed by the reference number, e.g. STATUS ADU-2026-K7M3QX",
        "status": "Complaint {reference}: {status}. Updated {updated}.",
        "new_ticket_prompt": "OK. Send your new complaint in your next message.",
        "help": (
            "Commands: STATUS <reference no.> for a complaint's status; NEW for a new complaint; "
            "HELP for help. Any other message is taken as a complaint or a reply."
        ),
        "telegram_help": (
            "Commands: /start to file a complaint, /status <reference no.> for its status, "
            "/batal to cancel."
        ),
        "skip": "Skip",
        "yes": "Yes, send",
        "no": "Cancel",
        "none": "-",
    },
}


def text(language: str, key: str, **values: object) -> str:
    """The text ``key`` in ``language`` ("ms" unless "en"), filled with ``values``."""
    return TEXTS["en" if language == "en" else "ms"][key].format(**values)


def both(key: str, **values: object) -> str:
    """BM then EN, for messages sent before we know the language (e.g. BANTUAN/HELP)."""
    return f"{text('ms', key, **values)}\n\n{text('en', key, **values)}"
