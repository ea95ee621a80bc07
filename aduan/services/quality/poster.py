"""The printable poster of a service point: its QR code and short link, with the call to rate
in Bahasa Malaysia, English, Chinese and Tamil (all four on the one sheet).

The poster is an HTML page (``quality/poster.html``, A4 print styles, the QR code as inline
SVG from ``segno``); its PDF is that page printed by headless Chromium — the same browser the
test suite already uses — so the Chinese and Tamil lines are shaped by a real text engine with
the Noto fonts (``scripts/ensure-browser.sh`` installs them).
"""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
from pathlib import Path

import segno

CHROMIUM = "/usr/bin/chromium"
PDF_TIMEOUT_SECONDS = 60
# The same request in the four everyday languages (on the poster at once, so not per locale).
LINES = (
    ("ms", "Bagaimana layanan kami hari ini?", "Imbas kod QR dan beri penilaian anda."),
    ("en", "How was our service today?", "Scan the QR code and rate us."),
    ("zh", "今天我们的服务如何？", "请扫描二维码为我们评分。"),
    ("ta", "இன்று எங்கள் சேவை எப்படி இருந்தது?", "QR குறியீட்டை ஸ்கேன் செய்து மதிப்பிடுங்கள்."),
)


class PosterUnavailable(RuntimeError):
    """No browser to print the poster with on this host."""


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as an inline SVG element (error correction M, quiet zone 4)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", scale=1, border=4, xmldecl=False, svgns=True, omitsize=True,
        svgclass="qr", title=url,
    )  # fmt: skip
    return out.getvalue().decode()


def stylesheet() -> str:
    """The poster's print styles, inlined into the page printed from a file."""
    return (Path(__file__).resolve().parents[2] / "static" / "css" / "poster.css").read_text()


def chromium_path() -> str:
    return os.environ.get("ADUAN_CHROMIUM", CHROMIUM)


def html_to_pdf(html: str) -> bytes:
    """Print a self-contained HTML page to an A4 PDF with headless Chromium."""
    browser = chromium_path()
    if not os.access(browser, os.X_OK):
        raise PosterUnavailable(browser)
    with tempfile.TemporaryDirectory(prefix="aduan-poster-") as folder:
        page, pdf = Path(folder, "poster.html"), Path(folder, "poster.pdf")
        page.write_text(html, "utf-8")
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-dev-shm-usage", "--no-pdf-header-footer",
            f"--user-data-dir={folder}/profile", f"--print-to-pdf={pdf}", page.as_uri(),
        ]  # fmt: skip
        subprocess.run(command, check=False, capture_output=True, timeout=PDF_TIMEOUT_SECONDS)  # noqa: S603
        if not pdf.exists() or pdf.stat().st_size == 0:
            raise PosterUnavailable("the browser printed nothing")
        return pdf.read_bytes()
