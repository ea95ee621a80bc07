"""What the demo agencies say and hold: two agencies (a local council and a public works
department with offices in several states), their units, officers and categories, and the
complaint texts, names and status paths their tickets are drawn from. Read by ``admin.demo``.
"""

from __future__ import annotations

from dataclasses import dataclass

from aduan.vocabulary import Role
from aduan.vocabulary import TicketStatus as S

DEMO_PASSWORD = "Demo-Aduan-2026"  # noqa: S105 - a published demo credential
PLATFORM_ADMIN = ("platform", "Zainab binti Hassan", "MBDJ")  # username, name, home agency

OFFICER, SUPERVISOR = Role.OFFICER.value, Role.SUPERVISOR.value
MANAGER, ADMIN = Role.COMPLAINT_MANAGER.value, Role.ADMIN.value


@dataclass(frozen=True)
class DemoAgency:
    """One demo agency: units (code, name, state, parent code), officers (username, name,
    roles, unit codes, locale), its own categories (code, BM, EN, default unit code), the
    triage unit, the head officer, each unit's head, and its share of the demo tickets."""

    code: str
    name: str
    state: str
    units: tuple[tuple[str, str, str, str | None], ...]
    officers: tuple[tuple[str, str, list[str], list[str], str], ...]
    categories: tuple[tuple[str, str, str, str], ...]
    triage: str
    head: str
    unit_heads: dict[str, str]
    share: float


COUNCIL = DemoAgency(
    code="MBDJ",
    name="Majlis Bandaraya Demo Jaya (Demo)",
    state="10",
    units=(
        ("UPP", "Unit Perhubungan Pelanggan", "10", None),
        ("KEJ", "Jabatan Kejuruteraan", "10", "UPP"),
        ("SISA", "Jabatan Pengurusan Sisa Pepejal", "10", "UPP"),
    ),
    officers=(
        ("admin", "Aminah binti Yusof", [ADMIN], ["UPP"], "ms"),
        ("pengurus", "Rajesh a/l Kumar", [MANAGER], ["UPP"], "en"),
        ("penyelia", "Tan Mei Ling", [SUPERVISOR], ["UPP", "KEJ"], "ms"),
        ("pegawai", "Muhammad Hafiz bin Ismail", [OFFICER], ["UPP", "KEJ"], "ms"),
        ("pegawai.sisa", "Siti Khadijah binti Omar", [OFFICER], ["SISA"], "ms"),
    ),
    categories=(
        ("MBDJ-01", "Sampah dan kebersihan", "Rubbish and cleanliness", "SISA"),
        ("MBDJ-02", "Lampu jalan dan longkang", "Street lights and drains", "KEJ"),
    ),
    triage="UPP",
    head="pengurus",
    unit_heads={"UPP": "penyelia", "KEJ": "penyelia"},
    share=0.6,
)

WORKS = DemoAgency(
    code="JKRD",
    name="Jabatan Kerja Raya Demo (Demo)",
    state="16",
    units=(
        ("JKR-HQ", "Unit Aduan Awam, Ibu Pejabat", "16", None),
        ("JKR-KDH", "JKR Negeri Kedah", "02", "JKR-HQ"),
        ("JKR-JHR", "JKR Negeri Johor", "01", "JKR-HQ"),
        ("JKR-KTN", "JKR Negeri Kelantan", "03", "JKR-HQ"),
    ),
    officers=(
        ("admin.jkr", "Kamal bin Abdullah", [ADMIN], ["JKR-HQ"], "ms"),
        ("pengurus.jkr", "Priya a/p Subramaniam", [MANAGER], ["JKR-HQ"], "en"),
        ("penyelia.jkr", "Wong Kar Fai", [SUPERVISOR], ["JKR-HQ", "JKR-KDH"], "ms"),
        ("pegawai.kedah", "Nur Aisyah binti Ahmad", [OFFICER], ["JKR-KDH"], "ms"),
        ("pegawai.johor", "Lim Wei Jie", [OFFICER], ["JKR-JHR"], "en"),
        ("pegawai.kelantan", "Wan Nurul Huda binti Wan Ali", [OFFICER], ["JKR-KTN"], "ms"),
    ),
    categories=(
        ("JKR-01", "Jalan rosak atau berlubang", "Damaged roads and potholes", "JKR-KDH"),
        ("JKR-02", "Bangunan kerajaan", "Government buildings", "JKR-HQ"),
    ),
    triage="JKR-HQ",
    head="pengurus.jkr",
    unit_heads={"JKR-HQ": "penyelia.jkr", "JKR-KDH": "penyelia.jkr"},
    share=0.4,
)

AGENCIES = (COUNCIL, WORKS)

CANNED_RESPONSES = (
    # language, title, body
    (
        "ms",
        "Aduan diterima",
        "Terima kasih kerana menghubungi kami. Aduan tuan/puan telah "
        "diterima dan sedang disemak oleh pegawai kami. Kami akan memaklumkan perkembangannya.",
    ),
    (
        "ms",
        "Maklumat tambahan diperlukan",
        "Untuk membantu siasatan, mohon kongsikan lokasi "
        "tepat, tarikh kejadian dan gambar (jika ada) dengan membalas mesej ini.",
    ),
    (
        "ms",
        "Tindakan selesai",
        "Tindakan pembaikan telah diambil oleh pihak kami. Sekiranya "
        "masalah berulang, sila balas mesej ini dalam tempoh 14 hari.",
    ),
    (
        "en",
        "Complaint received",
        "Thank you for contacting us. Your complaint has been received "
        "and is being reviewed by our officers. We will keep you informed of its progress.",
    ),
    (
        "en",
        "More information needed",
        "To help our investigation, please share the exact "
        "location, the date it happened and photos (if any) by replying to this message.",
    ),
)

COMPLAINTS = (
    (
        "ms",
        "Lampu jalan rosak",
        "Lampu jalan di Jalan Kenanga 3 tidak menyala sejak minggu lepas. "
        "Kawasan ini gelap dan berbahaya pada waktu malam.",
    ),
    (
        "ms",
        "Sampah tidak dikutip",
        "Sampah di hadapan rumah saya tidak dikutip selama 5 hari. Bau busuk dan lalat banyak.",
    ),
    (
        "ms",
        "Jalan berlubang",
        "Terdapat lubang besar di Jalan Sultan Badlishah berhampiran sekolah. "
        "Sudah dua motosikal terjatuh.",
    ),
    (
        "ms",
        "Longkang tersumbat",
        "Longkang di Taman Sri Muda tersumbat dan air melimpah ke jalan setiap kali hujan lebat.",
    ),
    (
        "ms",
        "Kelewatan permohonan lesen",
        "Permohonan lesen perniagaan saya sudah 3 bulan tanpa "
        "sebarang maklum balas daripada pejabat.",
    ),
    (
        "ms",
        "Layanan kaunter kurang mesra",
        "Pegawai di kaunter 4 bercakap kasar dan enggan "
        "menerangkan prosedur kepada ibu saya yang warga emas.",
    ),
    (
        "en",
        "Streetlight out",
        "The streetlight in front of house no. 12, Jalan Mawar is flickering "
        "and goes off completely after midnight.",
    ),
    (
        "en",
        "Illegal dumping",
        "Someone keeps dumping construction waste on the empty lot next to "
        "the playground at Taman Desa.",
    ),
    (
        "en",
        "Website form not working",
        "The online payment page shows an error every time I try "
        "to pay my assessment tax. I tried three different browsers.",
    ),
    (
        "en",
        "Noise from construction site",
        "Construction work continues past 11pm every night near Persiaran Indah. We cannot sleep.",
    ),
    (
        "ms",
        "Cadangan tambah tempat letak kereta",
        "Saya mencadangkan supaya lebih banyak petak "
        "letak kereta OKU disediakan di hadapan pejabat.",
    ),
    (
        "en",
        "Thank you for quick repair",
        "The burst pipe at our street was repaired within a day. Thank you to the team!",
    ),
    (
        "ms",
        "Pertanyaan status bayaran balik",
        "Bilakah bayaran balik deposit saya akan dibuat? No. resit 88213.",
    ),
    (
        "ms",
        "Pokok tumbang 🌳",
        "Pokok besar tumbang menghalang separuh jalan di Lorong Cempaka. Mohon tindakan segera 🙏",
    ),
)

TYPES = ("aduan",) * 7 + ("pertanyaan", "cadangan", "penghargaan", "maklum_balas")
CHANNELS = ("web", "email", "sms", "whatsapp", "telegram", "messenger", "counter", "phone", "x")
NAMES = (
    "Siti Nurhaliza",
    "Ahmad Faizal",
    "Chong Kah Wai",
    "Kavitha Raman",
    "Mohd Azlan",
    "Nurul Izzah",
    "Wong Siew Lan",
    "Ravi Shankar",
    "Farah Hanim",
    "Daniel Lee",
)
# (status path walked through the workflow, share of tickets)
STATUS_PATHS = (
    ((), 20),
    ((S.ACKNOWLEDGED,), 30),
    ((S.ACKNOWLEDGED, S.IN_PROGRESS), 50),
    ((S.ACKNOWLEDGED, S.IN_PROGRESS, S.WAITING_COMPLAINANT), 15),
    ((S.ACKNOWLEDGED, S.EXTENDED), 10),
    ((S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED), 40),
    ((S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED), 25),
    ((S.ACKNOWLEDGED, S.OUT_OF_JURISDICTION), 5),
    ((S.ACKNOWLEDGED, S.NO_FURTHER_ACTION), 5),
)
