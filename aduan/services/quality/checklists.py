"""Checklists: questions grouped by section, for mystery shopping and the satisfaction study.

An admin writes one question a line — ``Section | kind | question in BM | question in EN |
limit`` — or starts from ``TEMPLATE_8S`` (the eight courtesy practices and the counter and
telephone standards of PKPA 1/2008). ``kind``: ``yesno``, ``scale`` (1–5), ``seconds`` (a
measured time, ``limit`` the standard) or ``text``. Each answer scores 0–100 (``score``);
free text is read, not scored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from aduan.extensions import db
from aduan.models import Officer
from aduan.models.quality import Checklist, Exercise, Visit
from aduan.services.admin import common as f

KINDS = ("yesno", "scale", "seconds", "text")
MAX_ITEMS = 100
BAD_LINE = _l("Line %(line)s: write Section | kind | question in BM | question in EN | limit.")
BAD_KIND = _l("Line %(line)s: the kind is one of yesno, scale, seconds or text.")
BAD_LIMIT = _l("Line %(line)s: a seconds question needs its standard in whole seconds.")
IN_USE = _l("Shoppers have already filled this checklist: make a new one instead.")

# The 8S courtesy practices, then the counter and telephone standards (PKPA 1/2008).
TEMPLATE_ROWS = (
    ("Senyum", "yesno", "Pegawai senyum semasa melayan?", "Did the officer smile while serving?"),
    ("Salam", "yesno", "Pegawai memberi salam atau menyapa?", "Did the officer greet you?"),
    ("Sopan", "scale", "Betapa sopan pegawai bertutur?", "How polite was the officer?"),
    (
        "Segak",
        "yesno",
        "Pegawai berpakaian kemas dan memakai tanda nama?",
        "Was the officer well-presented, with a name tag?",
    ),
    (
        "Segera",
        "seconds",
        "Berapa saat sebelum anda dilayan?",
        "How many seconds before you were served?",
        "600",
    ),
    (
        "Sempurna",
        "yesno",
        "Urusan anda selesai dengan lengkap?",
        "Was your matter completed in full?",
    ),
    (
        "Sensitif",
        "yesno",
        "Pegawai peka terhadap keperluan anda?",
        "Was the officer attentive to your needs?",
    ),
    (
        "Sayang",
        "scale",
        "Pegawai menunjukkan minat terhadap kerjanya?",
        "Did the officer show care for the work?",
    ),
    ("Kaunter", "yesno", "Nombor giliran dipaparkan?", "Were queue numbers shown?"),
    ("Kaunter", "yesno", "Anggaran masa menunggu dipaparkan?", "Was the waiting time shown?"),
    (
        "Telefon",
        "seconds",
        "Berapa saat panggilan dijawab?",
        "How many seconds until the call was answered?",
        "10",
    ),
    (
        "Telefon",
        "yesno",
        "Pemanggil dimaklumkan status setiap 20 saat semasa menunggu?",
        "Were callers told their status every 20 seconds?",
    ),
    ("Ulasan", "text", "Ulasan lain", "Other remarks"),
)
TEMPLATE_8S = "\n".join(" | ".join(row) for row in TEMPLATE_ROWS)


def parse(text: str, errors: f.Errors) -> list[dict[str, Any]]:
    """The checklist's items from its lines (errors under ``items``, one per bad line)."""
    items = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 4 or not all(parts[:4]):
            f.add(errors, "items", BAD_LINE % {"line": number})
            continue
        section, kind, text_ms, text_en = parts[:4]
        if kind not in KINDS:
            f.add(errors, "items", BAD_KIND % {"line": number})
            continue
        limit = parts[4] if len(parts) > 4 else ""
        if kind == "seconds" and not limit.isdigit():
            f.add(errors, "items", BAD_LIMIT % {"line": number})
            continue
        items.append({"key": f"q{len(items) + 1}", "section": section[:80], "kind": kind,
                      "text_ms": text_ms[:300], "text_en": text_en[:300],
                      "limit": int(limit) if kind == "seconds" else None})  # fmt: skip
    if not items and "items" not in errors:
        f.add(errors, "items", f.REQUIRED)
    if len(items) > MAX_ITEMS:
        f.add(errors, "items", f.TOO_LONG)
    return items


def as_text(items: list[dict]) -> str:
    """The lines an admin edits, from stored items."""
    lines = []
    for item in items:
        parts = [item["section"], item["kind"], item["text_ms"], item["text_en"]]
        if item.get("limit") is not None:
            parts.append(str(item["limit"]))
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def values(checklist: Checklist | None) -> dict:
    """The edit form's values (a new checklist starts from the 8S template)."""
    if checklist is None:
        return {"name": "", "items": TEMPLATE_8S}
    return {"name": checklist.name, "items": as_text(checklist.items)}


def save(officer: Officer, form: Mapping, checklist: Checklist | None = None) -> Checklist:
    """Create or change one of the agency's checklists (not once it has been filled)."""
    errors: f.Errors = {}
    name = f.text(form, "name", errors, max_len=200)
    items = parse(str(form.get("items") or ""), errors)
    if checklist is not None and has_answers(checklist):
        f.add(errors, "items", IN_USE)
    f.fail_if(errors)
    before = {"name": checklist.name, "items": checklist.items} if checklist else None
    checklist = checklist or Checklist(agency_id=officer.agency_id)
    checklist.name, checklist.items = name, items
    db.session.add(checklist)
    db.session.flush()
    f.audit(officer, "checklist", checklist.id, "update" if before else "create", before,
            {"name": name, "items": items})  # fmt: skip
    return checklist


def has_answers(checklist: Checklist) -> bool:
    query = (
        db.select(Visit.id)
        .join(Exercise, Exercise.id == Visit.exercise_id)
        .where(Exercise.checklist_id == checklist.id)
    )
    return db.session.scalar(query.limit(1)) is not None


def list_for(agency_id: int) -> list[Checklist]:
    """The agency's checklists, by name."""
    query = db.select(Checklist).where(Checklist.agency_id == agency_id)
    return list(db.session.scalars(query.order_by(Checklist.name)))


def clean_answers(items: list[dict], given: Mapping) -> tuple[dict[str, Any], f.Errors]:
    """Answers to ``items`` from ``given`` (key → value), validated per kind; unanswered
    questions are left out (a shopper may skip what did not happen)."""
    answers: dict[str, Any] = {}
    errors: f.Errors = {}
    for item in items:
        raw = given.get(item["key"])
        if raw in (None, ""):
            continue
        value = _answer(item["kind"], raw)
        if value is None:
            f.add(errors, item["key"], f.BAD_CHOICE)
        else:
            answers[item["key"]] = value
    return answers, errors


def _answer(kind: str, raw) -> Any:
    text = str(raw).strip()
    if kind == "yesno":
        return {"yes": True, "ya": True, "true": True, "no": False, "tidak": False,
                "false": False}.get(text.lower())  # fmt: skip
    if kind == "scale":
        return int(text) if text in ("1", "2", "3", "4", "5") else None
    if kind == "seconds":
        return int(text) if text.isdigit() and int(text) <= 86_400 else None
    return text[:2000] or None


def score(item: dict, value: Any) -> float | None:
    """0–100 for one answer (None: free text, not scored)."""
    if item["kind"] == "yesno":
        return 100.0 if value else 0.0
    if item["kind"] == "scale":
        return (int(value) - 1) * 25.0
    if item["kind"] == "seconds":
        return 100.0 if int(value) <= int(item["limit"]) else 0.0
    return None
