"""Domain vocabulary: ticket statuses, types, channels and roles, with BM and EN labels.

Channels are not listed here: each adapter's manifest names its channel, so the channel terms
are read from the registry (``channel_terms``) and a new adapter adds its own.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from aduan.languages import translate
from channels.registry import manifests


def _label(label_ms: str, label_en: str, locale: str) -> str:
    if locale.startswith("en"):
        return label_en
    if locale.startswith(("zh", "ta")):
        return translate(label_en, locale)
    return label_ms


class LabelledEnum(str, enum.Enum):
    """A string enum whose members carry a Bahasa Malaysia and an English label."""

    def __new__(cls, value: str, label_ms: str, label_en: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label_ms = label_ms
        member.label_en = label_en
        return member

    def label(self, locale: str = "ms") -> str:
        """The label in ``locale``: BM and EN from the code, Chinese and Tamil from the
        catalogue (the English label is the msgid)."""
        return _label(self.label_ms, self.label_en, locale)

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]


class TicketStatus(LabelledEnum):
    NEW = ("baharu", "Baharu", "New")
    ACKNOWLEDGED = ("diterima", "Diterima", "Acknowledged")
    IN_PROGRESS = ("dalam_tindakan", "Dalam Tindakan", "In progress")
    WAITING_COMPLAINANT = (
        "menunggu_pengadu",
        "Menunggu Maklum Balas Pengadu",
        "Waiting on complainant",
    )
    EXTENDED = ("dipanjangkan", "Dipanjangkan", "Extended")
    RESOLVED = ("selesai", "Selesai", "Resolved")
    CLOSED = ("ditutup", "Ditutup", "Closed")
    REOPENED = ("dibuka_semula", "Dibuka Semula", "Re-opened")
    OUT_OF_JURISDICTION = ("luar_bidang_kuasa", "Luar Bidang Kuasa", "Outside jurisdiction")
    NO_FURTHER_ACTION = ("tiada_tindakan_lanjut", "Tiada Tindakan Lanjut", "No further action")


OPEN_STATUSES = frozenset(
    {
        TicketStatus.NEW,
        TicketStatus.ACKNOWLEDGED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_COMPLAINANT,
        TicketStatus.EXTENDED,
        TicketStatus.REOPENED,
    }
)


class TicketType(LabelledEnum):
    COMPLAINT = ("aduan", "Aduan", "Complaint")
    ENQUIRY = ("pertanyaan", "Pertanyaan", "Enquiry")
    SUGGESTION = ("cadangan", "Cadangan", "Suggestion")
    COMPLIMENT = ("penghargaan", "Penghargaan", "Compliment")
    ADVICE = ("khidmat_nasihat", "Khidmat Nasihat", "Advisory service")
    FEEDBACK = ("maklum_balas", "Maklum Balas", "Feedback")


@dataclass(frozen=True)
class ChannelTerm:
    """A channel as the vocabulary shows it: its value and its BM and EN labels."""

    value: str
    label_ms: str
    label_en: str

    def label(self, locale: str = "ms") -> str:
        """The label in the interface language."""
        return _label(self.label_ms, self.label_en, locale)


def channel_terms() -> list[ChannelTerm]:
    """Every channel with a registered adapter, labelled from its manifest, in registry order."""
    return [ChannelTerm(value, m.label_ms, m.label_en) for value, m in manifests().items()]


def channel_values() -> list[str]:
    """The valid values of a ticket's or a rule's channel."""
    return list(manifests())


def channel_term(value: str) -> ChannelTerm:
    """The term for ``value``; ValueError for a channel no adapter serves (like an enum)."""
    for term in channel_terms():
        if term.value == value:
            return term
    raise ValueError(f"unknown channel {value!r}")


class Complexity(LabelledEnum):
    NORMAL = ("biasa", "Biasa", "Normal")
    COMPLEX = ("kompleks", "Kompleks", "Complex")


class PriorityGroup(LabelledEnum):
    """Priority exists only for these groups (PKPA 1/2008, fairness)."""

    ELDERLY = ("warga_emas", "Warga emas", "Elderly")
    DISABLED = ("oku", "OKU", "Person with disability")
    PREGNANT = ("ibu_mengandung", "Ibu mengandung", "Pregnant")


class Role(LabelledEnum):
    OFFICER = ("officer", "Pegawai", "Officer")
    SUPERVISOR = ("supervisor", "Penyelia / Ketua Unit", "Supervisor / unit head")
    COMPLAINT_MANAGER = ("complaint_manager", "Pengurus Aduan", "Complaint manager")
    ADMIN = ("admin", "Pentadbir", "Administrator")
    # Above every agency: edits the national calendar. Not an agency role (Officer.has_role).
    PLATFORM_ADMIN = ("platform_admin", "Pentadbir Platform", "Platform administrator")


def agency_roles() -> list[Role]:
    """The roles an agency admin grants: every role but the platform's own."""
    return [role for role in Role if role is not Role.PLATFORM_ADMIN]


class Direction(LabelledEnum):
    INBOUND = ("in", "Masuk", "Inbound")
    OUTBOUND = ("out", "Keluar", "Outbound")
    NOTE = ("note", "Nota dalaman", "Internal note")


class OutboundState(LabelledEnum):
    QUEUED = ("queued", "Dalam baris gilir", "Queued")
    SENT = ("sent", "Dihantar", "Sent")
    DELIVERED = ("delivered", "Diterima", "Delivered")
    READ = ("read", "Dibaca", "Read")
    FAILED = ("failed", "Gagal", "Failed")
    # WhatsApp outside the 24-hour window: kept until the complainant writes again.
    HELD = ("held", "Ditahan hingga pengadu menulis", "Held until the complainant writes")
    # … and the complainant did not write within the agency's expiry: never sent on WhatsApp.
    EXPIRED = (
        "expired",
        "Tamat tempoh: tidak dihantar melalui WhatsApp",
        "Expired: never sent on WhatsApp",
    )


# Public Complaints Bureau (BPA) categories, seeded for every agency.
BPA_CATEGORIES = (
    ("BPA-01", "Kelewatan atau Tiada Tindakan", "Delay or no action"),
    ("BPA-02", "Tindakan Tidak Adil", "Unfair action"),
    ("BPA-03", "Kekurangan Kemudahan Awam", "Lack of public amenities"),
    (
        "BPA-04",
        "Kepincangan Pelaksanaan Dasar dan Kelemahan Undang-undang",
        "Flawed policy implementation and weak laws",
    ),
    ("BPA-05", "Salah Guna Kuasa / Penyelewengan", "Abuse of power / misconduct"),
    ("BPA-06", "Salah Laku Anggota Awam", "Misconduct of civil servants"),
    ("BPA-07", "Kegagalan Mengikut Prosedur", "Failure to follow procedure"),
    ("BPA-08", "Kegagalan Penguatkuasaan", "Failure of enforcement"),
    ("BPA-09", "Kualiti Perkhidmatan Tidak Memuaskan", "Unsatisfactory service quality"),
    ("BPA-10", "Pelbagai", "Miscellaneous"),
)
